import { parseRetryAfter, safeCause } from '@portcullis/core';
import { SecretsError, type SecretsErrorCode } from '@portcullis/secrets';

/** Where an Azure error happened, for the message and the scrubbing of the cause. */
export interface AzureErrorContext {
  /** The secret's name (names are not secret). */
  secretName: string;
  /** The operation, e.g. `'getSecret'`. */
  operation: string;
  /** Values sent in the failed request: removed from the service's message. */
  sensitive?: readonly string[] | undefined;
  /** The current time, for a `Retry-After` date. Default: `Date.now()`. */
  nowMs?: number | undefined;
  /** The longest `Retry-After` honoured, in milliseconds. Default: 20000. */
  maxRetryAfterMs?: number | undefined;
}

/** `@azure/identity` failures: the credential could not get a token. */
const CREDENTIAL_ERRORS: ReadonlySet<string> = new Set([
  'AuthenticationError',
  'CredentialUnavailableError',
  'AuthenticationRequiredError',
  'AggregateAuthenticationError',
]);

const WHAT: Readonly<Record<SecretsErrorCode, string>> = Object.freeze({
  ERR_SECRET_NOT_FOUND: 'was not found',
  ERR_SECRET_ACCESS_DENIED: 'could not be read with this credential (401/403)',
  ERR_SECRET_INVALID: 'was refused as invalid by the service',
  ERR_SECRET_PROVIDER_UNAVAILABLE: 'could not be reached (network error or service error)',
  ERR_SECRET_THROTTLED: 'was throttled by the service (429)',
  ERR_SECRET_STALE: 'is stale',
  ERR_SECRET_ROTATION_FAILED: 'failed to rotate',
  ERR_SECRET_ROTATION_IN_PROGRESS: 'is being rotated',
});

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function byStatus(
  status: number | undefined,
  serviceCode: string | undefined,
  message: string,
): SecretsErrorCode {
  if (status === undefined || status === 408) return 'ERR_SECRET_PROVIDER_UNAVAILABLE';
  if (status === 404) return 'ERR_SECRET_NOT_FOUND';
  // Key Vault refuses to read a disabled version with 403 Forbidden ("…disabled secret").
  if (status === 403 && serviceCode === 'Forbidden' && /disabled/i.test(message))
    return 'ERR_SECRET_NOT_FOUND';
  if (status === 401 || status === 403) return 'ERR_SECRET_ACCESS_DENIED';
  if (status === 429) return 'ERR_SECRET_THROTTLED';
  if (status >= 500) return 'ERR_SECRET_PROVIDER_UNAVAILABLE';
  if (status >= 400) return 'ERR_SECRET_INVALID';
  return 'ERR_SECRET_PROVIDER_UNAVAILABLE';
}

/** MSAL's codes for a token endpoint it could not reach or whose metadata it could not load. */
const UNREACHABLE = /\b(network_error|endpoints_resolution_error|openid_config_error|timed_out)\b/i;

/**
 * Whether a credential failure was the token endpoint being down or unreachable (transient), not
 * a refusal: a 5xx from it, or MSAL's network codes on the error or its cause.
 */
function credentialUnreachable(
  error: unknown,
  status: number | undefined,
  message: string,
): boolean {
  if (status !== undefined) return status >= 500;
  const cause = field(error, 'cause');
  const causeCode = field(cause, 'errorCode');
  const causeMessage = field(cause, 'message');
  return (
    UNREACHABLE.test(message) ||
    (typeof causeCode === 'string' && UNREACHABLE.test(causeCode)) ||
    (typeof causeMessage === 'string' && UNREACHABLE.test(causeMessage))
  );
}

function retryAfterHeader(error: unknown): string | undefined {
  const headers = field(field(error, 'response'), 'headers');
  const get = field(headers, 'get');
  if (typeof get !== 'function') return undefined;
  const value = (get as (name: string) => unknown).call(headers, 'retry-after');
  return typeof value === 'string' ? value : undefined;
}

/**
 * Maps an error from `@azure/keyvault-secrets` (a `RestError`) or from an `@azure/identity`
 * credential to a {@link SecretsError}: 404 → not found; 401/403, a token endpoint that refused
 * the credential (4xx) and a missing credential → access denied (except a 403 for a disabled
 * version: not found); 429 → throttled, with the `Retry-After` the service sent; 5xx, 408, no
 * response, a token endpoint that is down or unreachable → unavailable; other 4xx → invalid.
 *
 * The SDK's error is never kept: the `cause` is a new `Error` with its name, status, service
 * error code and (scrubbed, shortened) message; the `RestError`'s request (which holds the body
 * of a `setSecret`) and response never reach a log through it.
 *
 * @example
 * ```ts
 * import { azureErrorToSecretsError } from '@portcullis/secrets-azure';
 * const restError = Object.assign(new Error('A secret with (name/id) db was not found in this key vault.'), {
 *   name: 'RestError',
 *   statusCode: 404,
 *   code: 'SecretNotFound',
 * });
 * azureErrorToSecretsError(restError, { secretName: 'db', operation: 'getSecret' }).code;
 * // 'ERR_SECRET_NOT_FOUND'
 * ```
 */
export function azureErrorToSecretsError(error: unknown, context: AzureErrorContext): SecretsError {
  const name =
    typeof field(error, 'name') === 'string' ? (field(error, 'name') as string) : 'Error';
  const rawStatus = field(error, 'statusCode');
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const rawCode = field(error, 'code');
  const serviceCode = typeof rawCode === 'string' ? rawCode : undefined;
  const rawMessage = field(error, 'message');
  const message = typeof rawMessage === 'string' ? rawMessage : '';
  let code: SecretsErrorCode;
  if (CREDENTIAL_ERRORS.has(name)) {
    code = credentialUnreachable(error, status, message)
      ? 'ERR_SECRET_PROVIDER_UNAVAILABLE'
      : 'ERR_SECRET_ACCESS_DENIED';
  } else {
    code = byStatus(status, serviceCode, message);
  }
  const retryAfter = code === 'ERR_SECRET_THROTTLED' ? retryAfterHeader(error) : undefined;
  const retryAfterMs =
    retryAfter === undefined
      ? undefined
      : parseRetryAfter(retryAfter, context.nowMs ?? Date.now(), context.maxRetryAfterMs ?? 20_000);
  const cause = safeCause(error, { name, status, serviceCode, sensitive: context.sensitive });
  const detail = [name, serviceCode, status === undefined ? undefined : `HTTP ${status}`]
    .filter((part) => part !== undefined)
    .join(', ');
  return new SecretsError(
    code,
    `Azure Key Vault: secret "${context.secretName}" ${WHAT[code]} (${context.operation}: ${detail}).`,
    {
      secretName: context.secretName,
      cause,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  );
}
