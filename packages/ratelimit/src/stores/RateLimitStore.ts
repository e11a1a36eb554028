import type { Outcome, RuleShape } from '../internal/algorithms.ts';

/** One rule of a {@link StoreRequest}: its shape, where its state lives, and whether it enforces. */
export interface StoreRule extends RuleShape {
  /** The rule's state key (already prefixed and combined with the caller's key). */
  readonly key: string;
  /**
   * `true` for a `live` rule: if it refuses, nothing is counted for any rule. A `dry-run` rule
   * (`false`) is evaluated and counted when the request goes through, but never refuses it.
   */
  readonly enforced: boolean;
}

/** One decision asked of a store: every rule of a limiter for one key, at one moment. */
export interface StoreRequest {
  readonly rules: readonly StoreRule[];
  /** The limiter's clock, in milliseconds since the epoch. A store may use its own time instead. */
  readonly now: number;
}

/**
 * Where rate-limit state lives. `decide` must be atomic for the whole request: read every rule's
 * state, evaluate it, and — only when no enforced rule refuses — count the request in every rule
 * that allows it. It answers one {@link Outcome} per rule, in order.
 *
 * Two implementations ship: {@link MemoryRateLimitStore} (one process) and
 * {@link RedisRateLimitStore} (a fleet: one round trip, exact across processes).
 *
 * @example
 * ```ts
 * import { MemoryRateLimitStore, type RateLimitStore } from '@portcullis/ratelimit';
 * const store: RateLimitStore = new MemoryRateLimitStore();
 * ```
 */
export interface RateLimitStore {
  /**
   * `true` when `decide` runs in this process and cannot hang (the memory store): the limiter
   * then calls it without a timeout. Default: `false` (every call is bounded by `storeTimeoutMs`).
   */
  readonly inProcess?: boolean;
  /** Decides one request; `signal` aborts when the limiter stops waiting. */
  decide(
    request: StoreRequest,
    signal?: AbortSignal,
  ): Promise<readonly Outcome[]> | readonly Outcome[];
}
