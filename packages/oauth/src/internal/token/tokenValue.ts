/**
 * Visible ASCII only (`%x21-7E`): what can stand after `Bearer ` in an `Authorization` header
 * without being changed or refused by `fetch`. Refuses CR/LF (header injection), NUL, spaces
 * (trimmed or split by servers) and anything non-ASCII.
 */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/** Whether `value` can be sent as an access token in an `Authorization` header as it is. */
export function isHeaderSafeToken(value: unknown): value is string {
  return typeof value === 'string' && HEADER_SAFE.test(value);
}
