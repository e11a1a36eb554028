import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes a {@link SourceError} carries. */
export type SourceErrorCode = 'ERR_SOURCE_FORBIDDEN' | 'ERR_SOURCE_ADDRESS_UNKNOWN';

/**
 * A request was refused for where it came from (status 403): `ERR_SOURCE_FORBIDDEN` (the client
 * address is denied or not on the allow-list) or `ERR_SOURCE_ADDRESS_UNKNOWN` (no trustworthy
 * client address: no socket address, fewer `X-Forwarded-For` hops than the trusted proxies add, or
 * a malformed entry). The message never says which list or range was involved.
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_SOURCE_FORBIDDEN` | 403 | the client address is denied, or not on the allow-list |
 * | `ERR_SOURCE_ADDRESS_UNKNOWN` | 403 | the client address cannot be determined from trusted hops |
 *
 * @example
 * ```ts
 * import { createSourceFilter, isSourceError } from '@portcullis/ratelimit/source';
 * const filter = createSourceFilter({ allow: ['10.0.0.0/8'] });
 * try {
 *   filter.check({ remoteAddress: '203.0.113.9' });
 * } catch (error) {
 *   if (isSourceError(error)) console.log(error.status, error.code); // 403 ERR_SOURCE_FORBIDDEN
 * }
 * ```
 */
export class SourceError extends PortcullisError {
  declare readonly code: SourceErrorCode;
  override name = 'SourceError';

  constructor(code: SourceErrorCode, message: string, options: PortcullisErrorOptions = {}) {
    super(code, message, { status: 403, ...options });
  }
}

/**
 * Whether `value` is a {@link SourceError} (optionally with the given `code`), by brand and code.
 *
 * @example
 * ```ts
 * import { isSourceError } from '@portcullis/ratelimit/source';
 * isSourceError(new Error('no')); // false
 * ```
 */
export function isSourceError(value: unknown, code?: SourceErrorCode): value is SourceError {
  return (
    isPortcullisError(value, code) &&
    (value.code === 'ERR_SOURCE_FORBIDDEN' || value.code === 'ERR_SOURCE_ADDRESS_UNKNOWN')
  );
}
