// The two algorithms as pure steps on integers: `(state, now) → outcome + next state`. The memory
// store runs them directly; the Redis store's Lua script runs the same arithmetic and returns the
// state it read, from which `evaluate` recomputes the outcome (so the numbers a caller sees come
// from one place). All values stay integers below 2^53: exact in JavaScript and in Lua's doubles.

import type { Outcome, RuleShape, RuleState } from '../Outcome.ts';

export type { Algorithm, Outcome, RuleShape, RuleState } from '../Outcome.ts';

/** An outcome and the state to store if the request is committed. */
export interface Step {
  readonly outcome: Outcome;
  /** The state after counting this request (only meaningful when `outcome.allowed`). */
  readonly next: RuleState;
  /** How long `next` must be kept, in milliseconds (≥ 1). */
  readonly ttlMs: number;
}

// GCRA in "excess" form. With L = limit and W = windowMs, one request costs W units and the bucket
// holds W·L units; it drains L units per millisecond. State: the excess E (units) at time `at`.
// Equivalent to the textbook TAT form (TAT = at + E/L) without ever multiplying a timestamp.
function gcra(rule: RuleShape, state: RuleState | undefined, now: number): Step {
  const { limit: L, windowMs: W } = rule;
  const capacity = W * L;
  let excess = 0;
  if (state !== undefined) {
    const elapsed = Math.min(Math.max(0, now - (state[1] as number)), W);
    excess = Math.max(0, (state[0] as number) - elapsed * L);
  }
  const after = excess + W;
  if (after > capacity) {
    return {
      outcome: {
        allowed: false,
        remaining: 0,
        resetMs: Math.ceil(excess / L),
        retryAfterMs: Math.max(1, Math.ceil((after - capacity) / L)),
      },
      next: state ?? [0, now],
      ttlMs: Math.max(1, Math.ceil(excess / L)),
    };
  }
  const ttlMs = Math.max(1, Math.ceil(after / L));
  return {
    outcome: {
      allowed: true,
      remaining: Math.floor((capacity - after) / W),
      resetMs: ttlMs,
      retryAfterMs: 0,
    },
    next: [after, now],
    ttlMs,
  };
}

// Sliding window counter: the count of the current fixed window plus the previous window's count
// weighted by how much of it still overlaps the sliding window. Integer form of
// `previous·(W − elapsed)/W + current + 1 ≤ L`.
function slidingWindow(rule: RuleShape, state: RuleState | undefined, now: number): Step {
  const { limit: L, windowMs: W } = rule;
  let index = Math.floor(now / W);
  let current = 0;
  let previous = 0;
  if (state !== undefined) {
    const stored = state[0] as number;
    if (stored >= index) {
      // The same window, or a state written by a clock ahead of ours: count it as current.
      index = stored;
      current = state[1] as number;
      previous = state[2] as number;
    } else if (stored === index - 1) {
      previous = state[1] as number;
    }
  }
  const elapsed = Math.min(Math.max(0, now - index * W), W - 1);
  const left = W - elapsed;
  const used = previous * left + (current + 1) * W;
  if (used > L * W) {
    // Earliest moment it fits: later in this window as the previous count slides out, or in the
    // next window, where this window's count becomes the previous one.
    let wait = previous > 0 ? left - Math.floor(((L - current - 1) * W) / previous) : left;
    if (current + 1 > L || wait >= left) {
      wait = left + (current === 0 ? 0 : Math.max(0, W - Math.floor(((L - 1) * W) / current)));
    }
    return {
      outcome: { allowed: false, remaining: 0, resetMs: left, retryAfterMs: Math.max(1, wait) },
      next: state ?? [index, 0, 0],
      ttlMs: left + W,
    };
  }
  return {
    outcome: {
      allowed: true,
      remaining: Math.floor((L * W - used) / W),
      resetMs: left,
      retryAfterMs: 0,
    },
    next: [index, current + 1, previous],
    ttlMs: left + W,
  };
}

/** Runs one rule's algorithm on its stored state (`undefined`: nothing stored) at `now`. */
export function evaluate(rule: RuleShape, state: RuleState | undefined, now: number): Step {
  return rule.algorithm === 'gcra' ? gcra(rule, state, now) : slidingWindow(rule, state, now);
}
