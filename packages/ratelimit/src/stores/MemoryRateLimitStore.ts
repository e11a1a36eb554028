import { invalidArgument } from '@portcullis/core';
import { evaluate, type Outcome, type RuleState, type Step } from '../internal/algorithms.ts';
import { DEFAULTS } from '../options.ts';
import type { RateLimitStore, StoreRequest, StoreRule } from './RateLimitStore.ts';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most keys held at once (one per rule and caller key). Past it, expired keys and then the oldest keys are
   * forgotten, so a flood of distinct keys costs bounded memory (a forgotten caller starts afresh).
   * Default: 100000 (`DEFAULTS.localMaxKeys`).
   */
  maxKeys?: number;
}

interface Entry {
  state: RuleState;
  expiresAt: number;
}

/**
 * Rate-limit state in this process's memory: exact for one process, nothing shared. Uses the
 * limiter's clock. Bounded by `maxKeys` (expired keys, then the oldest, are forgotten first); expired
 * entries are dropped when touched and when the store is full.
 *
 * @example
 * ```ts
 * import { createRateLimiter, MemoryRateLimitStore } from '@portcullis/ratelimit';
 * const limiter = createRateLimiter({ limit: 10, windowMs: 1000, store: new MemoryRateLimitStore({ maxKeys: 50_000 }) });
 * ```
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly inProcess = true;
  readonly #entries = new Map<string, Entry>();
  readonly #maxKeys: number;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? DEFAULTS.localMaxKeys;
    if (typeof maxKeys !== 'number') throw invalidArgument('options.maxKeys', 'an integer');
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw invalidArgument('options.maxKeys', 'an integer of at least 1', 'value');
    }
    this.#maxKeys = maxKeys;
  }

  /** How many keys are held (expired ones not yet dropped included). */
  get size(): number {
    return this.#entries.size;
  }

  decide(request: StoreRequest): readonly Outcome[] {
    const { rules, now } = request;
    const n = rules.length;
    const entries = this.#entries;
    if (n === 1) return [this.#one(rules[0] as StoreRule, now)];
    const steps: Step[] = new Array(n);
    const found: (Entry | undefined)[] = new Array(n);
    let refused = false;
    for (let i = 0; i < n; i++) {
      const rule = rules[i] as StoreRule;
      const entry = entries.get(rule.key);
      found[i] = entry;
      const state = entry === undefined || entry.expiresAt <= now ? undefined : entry.state;
      const step = evaluate(rule, state, now);
      steps[i] = step;
      if (!step.outcome.allowed && rule.enforced) refused = true;
    }
    const outcomes: Outcome[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const step = steps[i] as Step;
      outcomes[i] = step.outcome;
      if (refused || !step.outcome.allowed) continue;
      const entry = found[i];
      if (entry === undefined) {
        entries.set((rules[i] as StoreRule).key, { state: step.next, expiresAt: now + step.ttlMs });
      } else {
        // Updated in place: the Map keeps first-insertion order, so eviction is oldest first.
        entry.state = step.next;
        entry.expiresAt = now + step.ttlMs;
      }
    }
    if (entries.size > this.#maxKeys) this.#evict(now);
    return outcomes;
  }

  /** The common case, one rule: no intermediate arrays. */
  #one(rule: StoreRule, now: number): Outcome {
    const entries = this.#entries;
    const entry = entries.get(rule.key);
    const state = entry === undefined || entry.expiresAt <= now ? undefined : entry.state;
    const step = evaluate(rule, state, now);
    if (step.outcome.allowed) {
      if (entry === undefined) {
        entries.set(rule.key, { state: step.next, expiresAt: now + step.ttlMs });
        if (entries.size > this.#maxKeys) this.#evict(now);
      } else {
        entry.state = step.next;
        entry.expiresAt = now + step.ttlMs;
      }
    }
    return step.outcome;
  }

  #evict(now: number): void {
    // Expired entries go first; then the oldest keys, until the store fits.
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxKeys) return;
      this.#entries.delete(key);
    }
  }
}
