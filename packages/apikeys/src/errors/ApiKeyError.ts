import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes an {@link ApiKeyError} carries. Match on these, never on messages. */
export type ApiKeyErrorCode =
  | 'ERR_APIKEY_INVALID'
  | 'ERR_APIKEY_SCOPE_MISSING'
  | 'ERR_APIKEY_NOT_FOUND'
  | 'ERR_APIKEY_REPOSITORY_UNAVAILABLE';

/**
 * Why a key was refused, for the service's own logs and metrics. Never shown to the caller: every
 * refusal answers the same `401` so that a caller cannot tell a typo from a revoked key.
 */
export type ApiKeyRefusal =
  | 'malformed'
  | 'checksum'
  | 'unknown'
  | 'mismatch'
  | 'revoked'
  | 'expired';

const STATUS: Record<ApiKeyErrorCode, number> = {
  ERR_APIKEY_INVALID: 401,
  ERR_APIKEY_SCOPE_MISSING: 403,
  ERR_APIKEY_NOT_FOUND: 404,
  ERR_APIKEY_REPOSITORY_UNAVAILABLE: 503,
};

/** Options of an {@link ApiKeyError} beyond the base ones. */
export interface ApiKeyErrorOptions extends PortcullisErrorOptions {
  /** For `ERR_APIKEY_INVALID`: why, for logs (never sent to the caller). */
  refusal?: ApiKeyRefusal;
  /** For `ERR_APIKEY_SCOPE_MISSING`: the scopes that were required and absent. */
  missingScopes?: readonly string[];
}

/**
 * An API key was refused, or the key store could not answer. The message is the same for every
 * kind of refusal (`'Invalid API key.'`) and never holds the key; `refusal` says why, for logs.
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_APIKEY_INVALID` | 401 | malformed, bad checksum, unknown, wrong secret, revoked or expired (`refusal` says which) |
 * | `ERR_APIKEY_SCOPE_MISSING` | 403 | the key is valid but lacks a required scope |
 * | `ERR_APIKEY_NOT_FOUND` | 404 | `revoke`/`rotate` named a key id that does not exist |
 * | `ERR_APIKEY_REPOSITORY_UNAVAILABLE` | 503 | the repository failed or did not answer within `repositoryTimeoutMs` |
 *
 * @example
 * ```ts
 * import { ApiKeyError, isApiKeyError } from '@portcullis/apikeys';
 * const error = new ApiKeyError('ERR_APIKEY_INVALID', 'Invalid API key.', { refusal: 'revoked' });
 * isApiKeyError(error, 'ERR_APIKEY_INVALID'); // true
 * ```
 */
export class ApiKeyError extends PortcullisError {
  declare readonly code: ApiKeyErrorCode;
  /** For `ERR_APIKEY_INVALID`: why the key was refused (for logs; not in `toJSON()`). */
  readonly refusal: ApiKeyRefusal | undefined;
  /** For `ERR_APIKEY_SCOPE_MISSING`: the required scopes the key lacks. */
  readonly missingScopes: readonly string[] | undefined;
  override name = 'ApiKeyError';

  constructor(code: ApiKeyErrorCode, message: string, options: ApiKeyErrorOptions = {}) {
    const { refusal, missingScopes, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.refusal = refusal;
    this.missingScopes = missingScopes;
  }
}

/**
 * Whether `value` is an {@link ApiKeyError} (optionally with `code`), by brand and code prefix.
 *
 * @example
 * ```ts
 * import { isApiKeyError } from '@portcullis/apikeys';
 * isApiKeyError(new Error('x')); // false
 * ```
 */
export function isApiKeyError(value: unknown, code?: ApiKeyErrorCode): value is ApiKeyError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_APIKEY_')
  );
}

/** The one refusal every invalid key gets. */
export function invalidKey(refusal: ApiKeyRefusal): ApiKeyError {
  return new ApiKeyError('ERR_APIKEY_INVALID', 'Invalid API key.', { refusal });
}
