import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes a {@link ResilienceError} carries. Match on these, never on messages. */
export type ResilienceErrorCode =
  | 'ERR_RESILIENCE_TIMEOUT'
  | 'ERR_RESILIENCE_CIRCUIT_OPEN'
  | 'ERR_RESILIENCE_BULKHEAD_FULL'
  | 'ERR_RESILIENCE_RATE_LIMITED'
  | 'ERR_RESILIENCE_RETRY_BUDGET_EXHAUSTED'
  | 'ERR_RESILIENCE_THROTTLED'
  | 'ERR_RESILIENCE_CHAOS';

const STATUS: Record<ResilienceErrorCode, number> = {
  ERR_RESILIENCE_TIMEOUT: 504,
  ERR_RESILIENCE_CIRCUIT_OPEN: 503,
  ERR_RESILIENCE_BULKHEAD_FULL: 503,
  ERR_RESILIENCE_RATE_LIMITED: 429,
  ERR_RESILIENCE_RETRY_BUDGET_EXHAUSTED: 503,
  ERR_RESILIENCE_THROTTLED: 503,
  ERR_RESILIENCE_CHAOS: 500,
};

/** Options of a {@link ResilienceError} beyond the base ones. */
export interface ResilienceErrorOptions extends PortcullisErrorOptions {
  /** The breaker, budget or limiter key (a host for `resilientFetch`). */
  key?: string | undefined;
  /** For `ERR_RESILIENCE_TIMEOUT`: which bound passed. */
  scope?: 'attempt' | 'total' | undefined;
  /**
   * When calling again may succeed, in milliseconds since the epoch on the pipeline's clock: the
   * moment an open breaker half-opens, or a rate limiter has a token again.
   */
  retryAt?: number | undefined;
  /** How many attempts were made before this error (0: refused before any call went out). */
  attempts?: number | undefined;
}

/**
 * A call was refused or cut short by a resilience policy. `code` says which (see
 * {@link ResilienceErrorCode}); `status` is what a server relaying the failure should answer;
 * `message` is safe to show (it names the key, never a URL query, header or body).
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_RESILIENCE_TIMEOUT` | 504 | the attempt (`scope: 'attempt'`) or the whole call (`scope: 'total'`) ran out of time |
 * | `ERR_RESILIENCE_CIRCUIT_OPEN` | 503 | the breaker for `key` is open, or its one half-open probe is out; `retryAt` is when it half-opens |
 * | `ERR_RESILIENCE_BULKHEAD_FULL` | 503 | every concurrency slot and queue place is taken |
 * | `ERR_RESILIENCE_RATE_LIMITED` | 429 | the client-side token bucket is empty (or the server said so); `retryAt` is when a token is due |
 * | `ERR_RESILIENCE_RETRY_BUDGET_EXHAUSTED` | 503 | a retry was due but the retry budget for `key` is spent; `cause` is the last failure |
 * | `ERR_RESILIENCE_THROTTLED` | 503 | adaptive client-side throttling dropped the call locally |
 * | `ERR_RESILIENCE_CHAOS` | 500 | a fault injected on purpose by `withChaos`/`chaosFetch` |
 *
 * @example
 * ```ts
 * import { createPipeline, isResilienceError } from '@portcullis/resilience';
 * const pipeline = createPipeline();
 * try {
 *   await pipeline.execute(() => fetch('https://api.example.com/health'));
 * } catch (error) {
 *   if (isResilienceError(error, 'ERR_RESILIENCE_CIRCUIT_OPEN')) console.log(error.retryAt);
 * }
 * ```
 */
export class ResilienceError extends PortcullisError {
  declare readonly code: ResilienceErrorCode;
  /** The breaker, budget or limiter key. */
  readonly key: string | undefined;
  /** For `ERR_RESILIENCE_TIMEOUT`: which bound passed. */
  readonly scope: 'attempt' | 'total' | undefined;
  /** When calling again may succeed (ms since the epoch), where known. */
  readonly retryAt: number | undefined;
  /** Attempts made before this error. */
  readonly attempts: number | undefined;
  override name = 'ResilienceError';

  constructor(code: ResilienceErrorCode, message: string, options: ResilienceErrorOptions = {}) {
    const { key, scope, retryAt, attempts, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.key = key;
    this.scope = scope;
    this.retryAt = retryAt;
    this.attempts = attempts;
  }
}

/**
 * Whether `value` is a {@link ResilienceError} (optionally with the given `code`). Matches by
 * brand and code prefix, so it still works when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { isResilienceError } from '@portcullis/resilience';
 * isResilienceError(new Error('x')); // false
 * ```
 */
export function isResilienceError(
  value: unknown,
  code?: ResilienceErrorCode,
): value is ResilienceError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_RESILIENCE_')
  );
}
