import type { Clock, Jitter, Telemetry } from '@portcullis/core';
import type { BreakerRegistry } from '../policies/BreakerRegistry.ts';

/** How one attempt ended: a value, or an error. Handed to the classifiers. */
export type Outcome<T = unknown> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

/** Retry with capped exponential backoff and jitter. */
export interface RetryOptions {
  /** Total calls, the first one included (`1` = no retry). Not cockatiel's "retries". Default: 3. */
  maxAttempts?: number;
  /** Backoff cap for the first retry. Milliseconds. Default: 2000. */
  initialDelayMs?: number;
  /** Largest backoff cap. Milliseconds. Default: 15000. */
  maxDelayMs?: number;
  /** Growth of the cap per retry. Default: 2. */
  multiplier?: number;
  /** How delays spread below the cap (`'full'`, `'half'`, `'none'`). Default: `'full'`. */
  jitter?: Jitter;
  /** Longest server-asked wait (`Retry-After`) honoured. Milliseconds. Default: 30000. */
  maxRetryAfterMs?: number;
}

/** A retry budget per key: a token bucket in the spirit of the AWS SDK's retry quota. */
export interface RetryBudgetOptions {
  /** Tokens the bucket holds (and starts with). Default: 500. */
  capacity?: number;
  /** Tokens a retry after an error or a retryable result takes. Default: 5. */
  retryCost?: number;
  /** Tokens a retry after a timeout takes. Default: 10. */
  timeoutCost?: number;
  /** Tokens a first-attempt success puts back (a retried success returns its cost). Default: 1. */
  successRefund?: number;
}

/** A circuit breaker per key: consecutive failures, or a failure ratio over a sampling window. */
export interface BreakerOptions {
  /** Failure ratio over the window that opens the breaker, in (0, 1]. Default: 0.1. */
  failureRatio?: number;
  /** The sampling window; at least twice `attemptTimeoutMs`. Milliseconds. Default: 30000. */
  samplingWindowMs?: number;
  /** Calls the window needs before the ratio counts. Default: 100. */
  minThroughput?: number;
  /** Failures in a row that open the breaker whatever the traffic; 0 = off. Default: 10. */
  consecutiveFailures?: number;
  /** How long the breaker stays open before one probe may go. Milliseconds. Default: 5000. */
  breakDurationMs?: number;
}

/** A bulkhead per key: concurrent attempts and a bounded queue (cockatiel's bulkhead). */
export interface BulkheadOptions {
  /** Attempts running at once. Default: 1000. */
  maxConcurrent?: number;
  /** Attempts waiting for a slot; more are refused at once. Default: 0. */
  maxQueued?: number;
}

/** A client-side token bucket per key, also fed by the server's `RateLimit` headers. */
export interface RateLimitOptions {
  /** Attempts per second the bucket refills; unset = no client-side rate, only server hints. Default: none. */
  ratePerSec?: number;
  /** Bucket size. Default: `ratePerSec` rounded up (at least 1). */
  burst?: number;
  /** Longest wait for a token before refusing (bounded by the deadline too). Milliseconds. Default: 0. */
  maxWaitMs?: number;
}

/** Hedging for idempotent reads: a second call when the first is slow; the first success wins. */
export interface HedgingOptions {
  /** Wait before each extra call; below `attemptTimeoutMs`. Milliseconds. Default: 2000. */
  delayMs?: number;
  /** Extra calls per attempt. Default: 1. */
  maxHedges?: number;
}

/** Client-side adaptive throttling (Google SRE book, "Handling Overload"), per key. */
export interface AdaptiveThrottlingOptions {
  /** Multiplier K: drop locally once requests exceed K × accepts. Default: 2. */
  k?: number;
  /** Window the counts cover. Milliseconds. Default: 120000. */
  windowMs?: number;
}

/**
 * Options of {@link createPipeline}. Every policy takes `false` (off), `true` (on with its
 * defaults) or an object of overrides. On unless said: `retry`, `retryBudget`, `breaker`,
 * `bulkhead`, `rateLimit`; off unless given: `hedging`, `adaptiveThrottling`.
 */
export interface PipelineOptions<T = unknown> {
  /** Bound on the whole call: every attempt, queue wait and backoff sleep. Milliseconds. Default: 30000. */
  totalTimeoutMs?: number;
  /** Bound on one attempt; at most `totalTimeoutMs`. Milliseconds. Default: 10000. */
  attemptTimeoutMs?: number;
  /** Retry policy. Default: on. */
  retry?: RetryOptions | boolean;
  /** Retry budget per key. Default: on. */
  retryBudget?: RetryBudgetOptions | boolean;
  /** Circuit breaker per key. Default: on. */
  breaker?: BreakerOptions | boolean;
  /** A registry to share breakers across pipelines (its options win over `breaker`). Default: a new one. */
  breakers?: BreakerRegistry;
  /** Bulkhead per key. Default: on. */
  bulkhead?: BulkheadOptions | boolean;
  /** Client-side rate limit per key. Default: on (server hints only). */
  rateLimit?: RateLimitOptions | boolean;
  /** Hedging (only for calls marked idempotent). Default: off. */
  hedging?: HedgingOptions | boolean;
  /** Adaptive client-side throttling. Default: off. */
  adaptiveThrottling?: AdaptiveThrottlingOptions | boolean;
  /** The key used when `execute` is not given one. Default: `'default'`. */
  key?: string;
  /** Time for timeouts, sleeps, windows. Default: `systemClock`. */
  clock?: Clock;
  /** Randomness for jitter and throttling, in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** Where metrics go. Default: `telemetry('@portcullis/resilience')`. */
  telemetry?: Telemetry;
  /** Whether an outcome is worth a retry. Default: any error except refusals and aborts; no value. */
  retryOn?: (outcome: Outcome<T>) => boolean;
  /** Whether an outcome counts against the breaker. Default: same as `retryOn`. */
  failureOn?: (outcome: Outcome<T>) => boolean;
  /** The wait a value asks for (e.g. from `Retry-After`), used as a minimum delay. Default: none. */
  retryAfterMs?: (value: T) => number | undefined;
  /** Called with each value that is not returned (retried, or a losing hedge), to free it. */
  discard?: (value: T) => void;
}
