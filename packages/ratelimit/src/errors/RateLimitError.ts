import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';
import type { Decision } from '../Decision.ts';

/** The stable codes a {@link RateLimitError} carries. Match on these, never on messages. */
export type RateLimitErrorCode = 'ERR_RATE_LIMITED' | 'ERR_RATE_LIMIT_UNAVAILABLE';

const STATUS: Record<RateLimitErrorCode, number> = {
  ERR_RATE_LIMITED: 429,
  ERR_RATE_LIMIT_UNAVAILABLE: 503,
};

/**
 * A request was refused by the rate limiter: `ERR_RATE_LIMITED` (429, a live rule's limit is
 * reached) or `ERR_RATE_LIMIT_UNAVAILABLE` (503, the store failed and `onStoreFailure` is
 * `'closed'`). `decision` holds the details and `headers` the `Retry-After`, `RateLimit` and
 * `RateLimit-Policy` values to answer with. The message names the rule, never the key.
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_RATE_LIMITED` | 429 | a live rule refused the request; retry after `retryAfterSec` |
 * | `ERR_RATE_LIMIT_UNAVAILABLE` | 503 | the store failed or was too slow and the limiter fails closed |
 *
 * @example
 * ```ts
 * import { createRateLimiter, isRateLimitError } from '@portcullis/ratelimit';
 * const limiter = createRateLimiter({ limit: 1, windowMs: 1000 });
 * await limiter.enforce('client-1');
 * try {
 *   await limiter.enforce('client-1');
 * } catch (error) {
 *   if (isRateLimitError(error)) console.log(error.status, error.headers['Retry-After']); // 429 '1'
 * }
 * ```
 */
export class RateLimitError extends PortcullisError {
  declare readonly code: RateLimitErrorCode;
  declare readonly status: number;
  /** The decision that refused the request. */
  declare readonly decision: Decision;
  override name = 'RateLimitError';

  constructor(
    code: RateLimitErrorCode,
    message: string,
    decision: Decision,
    options: PortcullisErrorOptions = {},
  ) {
    super(code, message, { status: STATUS[code], ...options });
    // Not enumerable: `util.inspect` and loggers that walk an error do not print the caller's key.
    Object.defineProperty(this, 'decision', { value: decision, enumerable: false });
  }

  /** Seconds to wait before retrying (the `Retry-After` value). */
  get retryAfterSec(): number {
    return Number(this.decision.headers['Retry-After'] ?? '1');
  }

  /** `Retry-After`, `RateLimit` and `RateLimit-Policy` header values for the refusal. */
  get headers(): Readonly<Record<string, string>> {
    return this.decision.headers;
  }
}

/**
 * Whether `value` is a {@link RateLimitError} (optionally with the given `code`). Matches by brand
 * and code, so it still works when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { isRateLimitError } from '@portcullis/ratelimit';
 * isRateLimitError(new Error('no')); // false
 * ```
 */
export function isRateLimitError(
  value: unknown,
  code?: RateLimitErrorCode,
): value is RateLimitError {
  return (
    isPortcullisError(value, code) &&
    (value.code === 'ERR_RATE_LIMITED' || value.code === 'ERR_RATE_LIMIT_UNAVAILABLE')
  );
}
