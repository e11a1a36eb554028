import { isPortcullisError, PortcullisError } from '@portcullis/core';

/**
 * Every code an {@link OAuthError} (or {@link AccessTokenError}) carries. Stable across releases.
 *
 * @example
 * ```ts
 * import type { OAuthErrorCode } from '@portcullis/oauth';
 * const retryable: OAuthErrorCode[] = ['ERR_OAUTH_SERVER_UNAVAILABLE', 'ERR_OAUTH_INVALID_RESPONSE'];
 * ```
 */
export type OAuthErrorCode =
  // Token provider (outbound).
  | 'ERR_OAUTH_SERVER_UNAVAILABLE'
  | 'ERR_OAUTH_INVALID_RESPONSE'
  | 'ERR_OAUTH_CLIENT_REJECTED'
  | 'ERR_OAUTH_REQUEST_REJECTED'
  | 'ERR_OAUTH_DISCOVERY_FAILED'
  | 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE'
  | 'ERR_OAUTH_CLOSED'
  // Access-token verifier (inbound).
  | 'ERR_OAUTH_TOKEN_MISSING'
  | 'ERR_OAUTH_INVALID_REQUEST'
  | 'ERR_OAUTH_TOKEN_INVALID'
  | 'ERR_OAUTH_TOKEN_EXPIRED'
  | 'ERR_OAUTH_INSUFFICIENT_SCOPE'
  | 'ERR_OAUTH_JWKS_UNAVAILABLE';

/**
 * Options of an {@link OAuthError}.
 *
 * @example
 * ```ts
 * import { OAuthError } from '@portcullis/oauth';
 * const error = new OAuthError('ERR_OAUTH_SERVER_UNAVAILABLE', 'The token endpoint answered 503.', { retryAfterMs: 2000 });
 * ```
 */
export interface OAuthErrorOptions {
  /** The underlying error (kept for operators, never serialised). Default: none. */
  cause?: unknown;
  /** Suggested HTTP status when the error reaches a server. Default: none. */
  status?: number;
  /**
   * For a failed token request: milliseconds until the provider will try the authorization
   * server again (backoff, or the server's `Retry-After`). Default: none.
   */
  retryAfterMs?: number;
}

/**
 * The one error class of `@portcullis/oauth` (the verifier's {@link AccessTokenError} extends it).
 * Match on `code` (see {@link OAuthErrorCode}), never on the message; messages never contain a
 * token, a secret or a key.
 *
 * | code | when | retried by the provider |
 * | --- | --- | --- |
 * | `ERR_OAUTH_SERVER_UNAVAILABLE` | network error, timeout, 5xx, 408, 429 (whatever the body) | yes, with backoff and `Retry-After` |
 * | `ERR_OAUTH_INVALID_RESPONSE` | a token response we refuse (no `access_token`, one with bytes a header cannot carry, bad `expires_in`, unknown `token_type`) | yes, with backoff |
 * | `ERR_OAUTH_CLIENT_REJECTED` | `invalid_client` / `unauthorized_client` / 401 (JSON or not) | no: fails fast |
 * | `ERR_OAUTH_REQUEST_REJECTED` | any other OAuth error (`invalid_scope`, `invalid_target`…) | no: fails fast |
 * | `ERR_OAUTH_DISCOVERY_FAILED` | issuer metadata could not be fetched or did not match | yes, with backoff |
 * | `ERR_OAUTH_CREDENTIAL_UNAVAILABLE` | the secret or key resolver threw or did not answer within `timeoutMs` | yes, with backoff |
 * | `ERR_OAUTH_CLOSED` | the provider was closed | no |
 *
 * @example
 * ```ts
 * import { isOAuthError } from '@portcullis/oauth';
 * try {
 *   // await provider.getToken();
 * } catch (error) {
 *   if (isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')) {
 *     // no valid token is left and the server is down: try later
 *   }
 * }
 * ```
 */
export class OAuthError extends PortcullisError {
  declare readonly code: OAuthErrorCode;
  override name = 'OAuthError';
  /** Milliseconds until the provider tries the server again, when known. */
  readonly retryAfterMs: number | undefined;

  constructor(code: OAuthErrorCode, message: string, options: OAuthErrorOptions = {}) {
    const base: { cause?: unknown; status?: number } = {};
    if (options.cause !== undefined) base.cause = options.cause;
    if (options.status !== undefined) base.status = options.status;
    super(code, message, base);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Whether `value` is an error from this package (optionally with `code`). Checks the shared
 * Portcullis brand and the `ERR_OAUTH_` prefix, so it works across duplicate installs.
 *
 * @example
 * ```ts
 * import { isOAuthError } from '@portcullis/oauth';
 * isOAuthError(new Error('x')); // false
 * ```
 */
export function isOAuthError(value: unknown, code?: OAuthErrorCode): value is OAuthError {
  return (
    isPortcullisError(value, code) &&
    value.code.startsWith('ERR_OAUTH_') &&
    (code === undefined || value.code === code)
  );
}
