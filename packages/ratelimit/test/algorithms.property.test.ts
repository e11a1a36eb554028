// The limiter (memory store) against reference models written the textbook way, over random
// request sequences: GCRA as a theoretical arrival time in BigInt (no rounding at all), and the
// sliding window counter as a map of per-window counts.
import { ManualClock } from '@portcullis/core';
import { createRateLimiter } from '@portcullis/ratelimit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const T0 = 1_767_225_600_000;

/** GCRA, textbook form: TAT in units of 1/limit ms, as a BigInt. */
function gcraModel(limit: number, windowMs: number) {
  const L = BigInt(limit);
  const W = BigInt(windowMs);
  let tat = 0n; // scaled by L
  return (nowMs: number): { allowed: boolean; retryAfterMs: number } => {
    const now = BigInt(nowMs) * L;
    const base = tat > now ? tat : now;
    const next = base + W; // one request costs T = W/L ms = W scaled units
    const allowAt = next - W * L; // the bucket tolerates W ms of debt
    if (allowAt > now) {
      const wait = allowAt - now;
      return { allowed: false, retryAfterMs: Number((wait + L - 1n) / L) };
    }
    tat = next;
    return { allowed: true, retryAfterMs: 0 };
  };
}

/** Sliding window counter, plainly: counts per fixed window, previous weighted by overlap. */
function slidingModel(limit: number, windowMs: number) {
  const counts = new Map<number, number>();
  return (now: number): boolean => {
    const index = Math.floor(now / windowMs);
    const elapsed = now - index * windowMs;
    const current = counts.get(index) ?? 0;
    const previous = counts.get(index - 1) ?? 0;
    // previous·(W − elapsed)/W + current + 1 ≤ limit, in rationals
    const allowed = previous * (windowMs - elapsed) + (current + 1) * windowMs <= limit * windowMs;
    if (allowed) counts.set(index, current + 1);
    return allowed;
  };
}

const scenario = fc.record({
  limit: fc.integer({ min: 1, max: 50 }),
  windowMs: fc.integer({ min: 1, max: 5000 }),
  gaps: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 400 }), fc.nat(12_000)), {
    minLength: 1,
    maxLength: 120,
  }),
});

describe('algorithms against reference models', () => {
  it('GCRA: the same allow/refuse answers and Retry-After as a BigInt TAT model', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ limit, windowMs, gaps }) => {
        const clock = new ManualClock(T0);
        const limiter = createRateLimiter({ limit, windowMs, clock });
        const model = gcraModel(limit, windowMs);
        for (const gap of gaps) {
          clock.advance(gap);
          const d = await limiter.check('k');
          const m = model(clock.now());
          expect([d.allowed, d.retryAfterMs]).toEqual([m.allowed, m.retryAfterMs]);
          expect(d.remaining).toBeGreaterThanOrEqual(0);
          expect(d.remaining).toBeLessThan(limit);
        }
      }),
      { numRuns: 120 },
    );
  });

  it('GCRA: never more than limit + ⌊d·limit/window⌋ allowed in any span of d ms', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ limit, windowMs, gaps }) => {
        const clock = new ManualClock(T0);
        const limiter = createRateLimiter({ limit, windowMs, clock });
        const allowedAt: number[] = [];
        for (const gap of gaps) {
          clock.advance(gap);
          if ((await limiter.check('k')).allowed) allowedAt.push(clock.now());
        }
        for (let i = 0; i < allowedAt.length; i++) {
          for (let j = i; j < allowedAt.length; j++) {
            const span = (allowedAt[j] as number) - (allowedAt[i] as number);
            expect(j - i + 1).toBeLessThanOrEqual(limit + Math.floor((span * limit) / windowMs));
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('sliding window: the same answers as the model', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ limit, windowMs, gaps }) => {
        const clock = new ManualClock(T0);
        const limiter = createRateLimiter({
          limit,
          windowMs,
          clock,
          algorithm: 'sliding-window',
        });
        const model = slidingModel(limit, windowMs);
        for (const gap of gaps) {
          clock.advance(gap);
          const d = await limiter.check('k');
          expect(d.allowed).toBe(model(clock.now()));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('Retry-After is exact: waiting retryAfterMs − 1 is refused, waiting retryAfterMs is allowed', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenario,
        fc.constantFrom('gcra', 'sliding-window' as const),
        async ({ limit, windowMs, gaps }, algorithm) => {
          const clock = new ManualClock(T0);
          const make = () => createRateLimiter({ limit, windowMs, clock, algorithm });
          const limiter = make();
          for (const gap of gaps) {
            clock.advance(gap);
            const d = await limiter.check('k');
            if (d.allowed) continue;
            const wait = d.retryAfterMs;
            // A refused request counts nowhere, so probing changes no state.
            clock.advance(wait - 1);
            expect((await limiter.check('k')).allowed).toBe(false);
            clock.advance(1);
            expect((await limiter.check('k')).allowed).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
