import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes an {@link IdempotencyError} carries. */
export type IdempotencyErrorCode =
  | 'ERR_IDEMPOTENCY_KEY_MISSING'
  | 'ERR_IDEMPOTENCY_KEY_MALFORMED'
  | 'ERR_IDEMPOTENCY_IN_FLIGHT'
  | 'ERR_IDEMPOTENCY_KEY_REUSED'
  | 'ERR_IDEMPOTENCY_BODY_TOO_LARGE'
  | 'ERR_IDEMPOTENCY_STORE_UNAVAILABLE';

const STATUS: Record<IdempotencyErrorCode, number> = {
  ERR_IDEMPOTENCY_KEY_MISSING: 400,
  ERR_IDEMPOTENCY_KEY_MALFORMED: 400,
  ERR_IDEMPOTENCY_IN_FLIGHT: 409,
  ERR_IDEMPOTENCY_KEY_REUSED: 422,
  ERR_IDEMPOTENCY_BODY_TOO_LARGE: 413,
  ERR_IDEMPOTENCY_STORE_UNAVAILABLE: 503,
};

/** Options of an {@link IdempotencyError} beyond the base ones. */
export interface IdempotencyErrorOptions extends PortcullisErrorOptions {
  /** For `ERR_IDEMPOTENCY_IN_FLIGHT`: when to try again, in milliseconds. */
  retryAfterMs?: number;
}

/**
 * An idempotent request could not be processed or replayed. The statuses follow the IETF
 * `Idempotency-Key` draft; `message` is safe to return to the client.
 *
 * | code | status | when |
 * | --- | --- | --- |
 * | `ERR_IDEMPOTENCY_KEY_MISSING` | 400 | the route requires an `Idempotency-Key` and none was sent |
 * | `ERR_IDEMPOTENCY_KEY_MALFORMED` | 400 | the key is empty, too long, not printable ASCII, or sent twice |
 * | `ERR_IDEMPOTENCY_IN_FLIGHT` | 409 | the first request with this key is still being processed (`retryAfterMs`) |
 * | `ERR_IDEMPOTENCY_KEY_REUSED` | 422 | the key was used before with a different request |
 * | `ERR_IDEMPOTENCY_BODY_TOO_LARGE` | 413 | the request body is larger than `maxRequestBytes` |
 * | `ERR_IDEMPOTENCY_STORE_UNAVAILABLE` | 503 | the store failed: the request was **not** processed |
 *
 * @example
 * ```ts
 * import { IdempotencyError, isIdempotencyError } from '@portcullis/idempotency';
 * isIdempotencyError(new IdempotencyError('ERR_IDEMPOTENCY_KEY_REUSED', 'x'), 'ERR_IDEMPOTENCY_KEY_REUSED'); // true
 * ```
 */
export class IdempotencyError extends PortcullisError {
  declare readonly code: IdempotencyErrorCode;
  /** For `ERR_IDEMPOTENCY_IN_FLIGHT`: when to retry, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  override name = 'IdempotencyError';

  constructor(code: IdempotencyErrorCode, message: string, options: IdempotencyErrorOptions = {}) {
    const { retryAfterMs, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Whether `value` is an {@link IdempotencyError} (optionally with `code`).
 *
 * @example
 * ```ts
 * import { isIdempotencyError } from '@portcullis/idempotency';
 * isIdempotencyError(new Error('x')); // false
 * ```
 */
export function isIdempotencyError(
  value: unknown,
  code?: IdempotencyErrorCode,
): value is IdempotencyError {
  return (
    isPortcullisError(value, code) &&
    (value as { code: string }).code.startsWith('ERR_IDEMPOTENCY_')
  );
}
