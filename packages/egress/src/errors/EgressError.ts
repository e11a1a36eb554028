import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes an {@link EgressError} carries. Match on these, never on messages. */
export type EgressErrorCode =
  | 'ERR_EGRESS_INVALID_URL'
  | 'ERR_EGRESS_INSECURE_SCHEME'
  | 'ERR_EGRESS_HOST_NOT_ALLOWED'
  | 'ERR_EGRESS_ADDRESS_REFUSED'
  | 'ERR_EGRESS_REDIRECT_REFUSED'
  | 'ERR_EGRESS_TOO_MANY_REDIRECTS'
  | 'ERR_EGRESS_RESPONSE_TOO_LARGE'
  | 'ERR_EGRESS_CONTENT_TYPE_REFUSED'
  | 'ERR_EGRESS_TOKEN_UNSUPPORTED'
  | 'ERR_EGRESS_DNS_FAILED'
  | 'ERR_EGRESS_TLS_FAILED'
  | 'ERR_EGRESS_TIMEOUT'
  | 'ERR_EGRESS_NETWORK';

const STATUS: Record<EgressErrorCode, number> = {
  ERR_EGRESS_INVALID_URL: 400,
  ERR_EGRESS_INSECURE_SCHEME: 403,
  ERR_EGRESS_HOST_NOT_ALLOWED: 403,
  ERR_EGRESS_ADDRESS_REFUSED: 403,
  ERR_EGRESS_REDIRECT_REFUSED: 502,
  ERR_EGRESS_TOO_MANY_REDIRECTS: 502,
  ERR_EGRESS_RESPONSE_TOO_LARGE: 502,
  ERR_EGRESS_CONTENT_TYPE_REFUSED: 502,
  ERR_EGRESS_TOKEN_UNSUPPORTED: 500,
  ERR_EGRESS_DNS_FAILED: 502,
  ERR_EGRESS_TLS_FAILED: 502,
  ERR_EGRESS_TIMEOUT: 504,
  ERR_EGRESS_NETWORK: 502,
};

/** Options of an {@link EgressError} beyond the base ones. */
export interface EgressErrorOptions extends PortcullisErrorOptions {
  /** The host (no credentials, no path) the failure is about, where there is one. */
  host?: string;
  /** For `ERR_EGRESS_ADDRESS_REFUSED`: the range the address fell in (`'loopback'`, `'private'`, …). */
  range?: string;
  /** Which request of a redirect chain failed: 0 is the first request, 1 the first redirect, … */
  hop?: number;
}

/**
 * An outbound call was refused by policy or failed on the way. `code` says which (see
 * {@link EgressErrorCode}); `message` is safe to show a caller: it never holds URL credentials,
 * a query string, a token or a header value, and never the resolved address (only its `range`).
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_EGRESS_INVALID_URL` | 400 | not an absolute URL, or it carries credentials (`user:pass@`) |
 * | `ERR_EGRESS_INSECURE_SCHEME` | 403 | not `https:` (plain `http:` only to loopback with `allowLoopbackHttp`) |
 * | `ERR_EGRESS_HOST_NOT_ALLOWED` | 403 | host (and port) not in `allowHosts` |
 * | `ERR_EGRESS_ADDRESS_REFUSED` | 403 | the literal or resolved address is not globally routable unicast (`range` says which) |
 * | `ERR_EGRESS_REDIRECT_REFUSED` | 502 | an `https:` → `http:` redirect, an unusable `Location`, or `redirect: 'error'` |
 * | `ERR_EGRESS_TOO_MANY_REDIRECTS` | 502 | more than `maxRedirects` hops |
 * | `ERR_EGRESS_RESPONSE_TOO_LARGE` | 502 | the body is larger than `maxResponseBytes` (declared or counted) |
 * | `ERR_EGRESS_CONTENT_TYPE_REFUSED` | 502 | the response's media type is not in `allowContentTypes` |
 * | `ERR_EGRESS_TOKEN_UNSUPPORTED` | 500 | the token provider gave a DPoP token (it needs a proof per request) |
 * | `ERR_EGRESS_DNS_FAILED` | 502 | the host name did not resolve |
 * | `ERR_EGRESS_TLS_FAILED` | 502 | TLS handshake failed: certificate not trusted or wrong name, protocol too old, client certificate refused |
 * | `ERR_EGRESS_TIMEOUT` | 504 | connect, response headers or body took longer than their timeout |
 * | `ERR_EGRESS_NETWORK` | 502 | connection refused, reset or closed early |
 *
 * @example
 * ```ts
 * import { createSecureFetch, isEgressError } from '@portcullis/egress';
 * const secureFetch = createSecureFetch({ allowHosts: ['api.example.com'] });
 * try {
 *   await secureFetch('https://169.254.169.254/latest/meta-data/');
 * } catch (error) {
 *   if (isEgressError(error)) console.log(error.code); // ERR_EGRESS_HOST_NOT_ALLOWED
 * }
 * ```
 */
export class EgressError extends PortcullisError {
  declare readonly code: EgressErrorCode;
  /** The host (no credentials, no path) the failure is about, where there is one. */
  readonly host: string | undefined;
  /** For `ERR_EGRESS_ADDRESS_REFUSED`: the range of the refused address. */
  readonly range: string | undefined;
  /** Which request of a redirect chain failed (0: the first). */
  readonly hop: number | undefined;
  override name = 'EgressError';

  constructor(code: EgressErrorCode, message: string, options: EgressErrorOptions = {}) {
    const { host, range, hop, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.host = host;
    this.range = range;
    this.hop = hop;
  }
}

/**
 * Whether `value` is an {@link EgressError} (optionally with the given `code`). Matches by brand
 * and code prefix, so it still works when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { isEgressError } from '@portcullis/egress';
 * isEgressError(new Error('x')); // false
 * ```
 */
export function isEgressError(value: unknown, code?: EgressErrorCode): value is EgressError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_EGRESS_')
  );
}
