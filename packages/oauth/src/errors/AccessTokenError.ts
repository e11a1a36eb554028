import { isOAuthError, OAuthError, type OAuthErrorCode } from './OAuthError.ts';

/**
 * The codes an {@link AccessTokenError} carries.
 *
 * @example
 * ```ts
 * import type { AccessTokenErrorCode } from '@portcullis/oauth';
 * const unauthorized: AccessTokenErrorCode = 'ERR_OAUTH_TOKEN_EXPIRED';
 * ```
 */
export type AccessTokenErrorCode = Extract<
  OAuthErrorCode,
  | 'ERR_OAUTH_TOKEN_MISSING'
  | 'ERR_OAUTH_INVALID_REQUEST'
  | 'ERR_OAUTH_TOKEN_INVALID'
  | 'ERR_OAUTH_TOKEN_EXPIRED'
  | 'ERR_OAUTH_INSUFFICIENT_SCOPE'
  | 'ERR_OAUTH_JWKS_UNAVAILABLE'
>;

const STATUS: Record<AccessTokenErrorCode, number> = {
  ERR_OAUTH_TOKEN_MISSING: 401,
  ERR_OAUTH_INVALID_REQUEST: 400,
  ERR_OAUTH_TOKEN_INVALID: 401,
  ERR_OAUTH_TOKEN_EXPIRED: 401,
  ERR_OAUTH_INSUFFICIENT_SCOPE: 403,
  ERR_OAUTH_JWKS_UNAVAILABLE: 503,
};

function quote(value: string): string {
  // RFC 6750 §3: quoted-string without `"` or `\`; our own descriptions never contain either.
  return `"${value.replace(/["\\]/g, '')}"`;
}

/**
 * An inbound access token was refused by the verifier. `status` is the HTTP status to answer
 * with (401, 400 for a malformed header, 403, or 503 when no signing keys can be had) and `wwwAuthenticate` the
 * `WWW-Authenticate` header value (RFC 6750 §3), both safe to send to the caller.
 *
 * | code | status | `error` in `WWW-Authenticate` |
 * | --- | --- | --- |
 * | `ERR_OAUTH_TOKEN_MISSING` | 401 | none (`Bearer realm=…` only): no header, a blank one, or another scheme (`Basic …`) |
 * | `ERR_OAUTH_INVALID_REQUEST` | 400 | `invalid_request`: a malformed `Bearer` header |
 * | `ERR_OAUTH_TOKEN_INVALID` | 401 | `invalid_token` |
 * | `ERR_OAUTH_TOKEN_EXPIRED` | 401 | `invalid_token` |
 * | `ERR_OAUTH_INSUFFICIENT_SCOPE` | 403 | `insufficient_scope` (+ `scope`) |
 * | `ERR_OAUTH_JWKS_UNAVAILABLE` | 503 | none |
 *
 * @example
 * ```ts
 * import { AccessTokenError } from '@portcullis/oauth';
 * const error = new AccessTokenError('ERR_OAUTH_INSUFFICIENT_SCOPE', 'The token lacks a required scope.', {
 *   requiredScopes: ['orders:read'],
 * });
 * error.status; // 403
 * error.wwwAuthenticate; // 'Bearer error="insufficient_scope", error_description="…", scope="orders:read"'
 * ```
 */
export class AccessTokenError extends OAuthError {
  declare readonly code: AccessTokenErrorCode;
  override name = 'AccessTokenError';
  declare readonly status: number;
  /** The `WWW-Authenticate` response header value for this refusal. */
  readonly wwwAuthenticate: string;

  constructor(
    code: AccessTokenErrorCode,
    message: string,
    options: { cause?: unknown; realm?: string; requiredScopes?: readonly string[] } = {},
  ) {
    const base: { cause?: unknown; status: number } = { status: STATUS[code] };
    if (options.cause !== undefined) base.cause = options.cause;
    super(code, message, base);
    const parts: string[] = [];
    if (options.realm !== undefined) parts.push(`realm=${quote(options.realm)}`);
    if (code === 'ERR_OAUTH_INVALID_REQUEST') {
      parts.push('error="invalid_request"', `error_description=${quote(message)}`);
    } else if (code === 'ERR_OAUTH_TOKEN_INVALID' || code === 'ERR_OAUTH_TOKEN_EXPIRED') {
      parts.push('error="invalid_token"', `error_description=${quote(message)}`);
    } else if (code === 'ERR_OAUTH_INSUFFICIENT_SCOPE') {
      parts.push('error="insufficient_scope"', `error_description=${quote(message)}`);
      if (options.requiredScopes?.length)
        parts.push(`scope=${quote(options.requiredScopes.join(' '))}`);
    }
    this.wwwAuthenticate = parts.length ? `Bearer ${parts.join(', ')}` : 'Bearer';
  }
}

const ACCESS_TOKEN_CODES: ReadonlySet<string> = new Set(Object.keys(STATUS));

/**
 * Whether `value` is an {@link AccessTokenError} (optionally with the given `code`): a refusal by
 * the access-token verifier, carrying `status` and `wwwAuthenticate`. Checks the shared brand and
 * the code, so it matches across duplicate installs where `instanceof` would not.
 *
 * @example
 * ```ts
 * import { isAccessTokenError } from '@portcullis/oauth';
 * function toResponse(error: unknown): Response {
 *   if (!isAccessTokenError(error)) throw error;
 *   return new Response(null, {
 *     status: error.status,
 *     headers: { 'www-authenticate': error.wwwAuthenticate },
 *   });
 * }
 * ```
 */
export function isAccessTokenError(
  value: unknown,
  code?: AccessTokenErrorCode,
): value is AccessTokenError {
  return (
    isOAuthError(value, code) &&
    ACCESS_TOKEN_CODES.has(value.code) &&
    typeof (value as { wwwAuthenticate?: unknown }).wwwAuthenticate === 'string'
  );
}
