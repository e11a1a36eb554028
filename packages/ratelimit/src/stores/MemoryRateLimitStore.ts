import { invalidArgument } from '@portcullis/core';
import { evaluate, type Outcome, type RuleState } from '../internal/algorithms.ts';
import { DEFAULTS } from '../options.ts';
import type { RateLimitStore, StoreRequest } from './RateLimitStore.ts';

/** Options of {@link MemoryRateLimitStore}. */
export interface MemoryRateLimitStoreOptions {
  /**
   * Most keys held at once (one per rule and caller key). Past it, the least recently used key is
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
 * limiter's clock. Bounded by `maxKeys` (least recently used keys are forgotten first); expired
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
    const steps = rules.map((rule) => {
      const entry = this.#entries.get(rule.key);
      const state = entry === undefined || entry.expiresAt <= now ? undefined : entry.state;
      return evaluate(rule, state, now);
    });
    const refused = steps.some((s, i) => !s.outcome.allowed && rules[i]?.enforced);
    if (!refused) {
      for (let i = 0; i < steps.length; i++) {
        const step = steps[i];
        const rule = rules[i];
        if (step === undefined || rule === undefined || !step.outcome.allowed) continue;
        // Delete then set: the Map's order becomes least-recently-used first.
        this.#entries.delete(rule.key);
        this.#entries.set(rule.key, { state: step.next, expiresAt: now + step.ttlMs });
      }
      this.#evict(now);
    }
    return steps.map((s) => s.outcome);
  }

  #evict(now: number): void {
    if (this.#entries.size <= this.#maxKeys) return;
    // Expired entries go first; then the least recently used, until the store fits.
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxKeys) return;
      this.#entries.delete(key);
    }
  }
}
