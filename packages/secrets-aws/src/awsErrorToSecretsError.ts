import { parseRetryAfter, safeCause } from '@portcullis/core';
import { SecretsError, type SecretsErrorCode } from '@portcullis/secrets';

/** Where an AWS error happened, for the message and the scrubbing of the cause. */
export interface AwsErrorContext {
  /** The secret's name (names are not secret). */
  secretName: string;
  /** The Secrets Manager operation, e.g. `'GetSecretValue'`. */
  operation: string;
  /**
   * Values sent in the failed request (a `PutSecretValue`'s text, or its bytes as base64): any
   * occurrence in the service's message is replaced by `[REDACTED]` before the message is kept.
   */
  sensitive?: readonly string[] | undefined;
  /** The current time, for a `Retry-After` date. Default: `Date.now()`. */
  nowMs?: number | undefined;
  /** The longest `Retry-After` honoured, in milliseconds. Default: 20000. */
  maxRetryAfterMs?: number | undefined;
}

// A Map, not an object: an error named `valueOf` or `__proto__` must not find Object.prototype.
const BY_NAME: ReadonlyMap<string, SecretsErrorCode> = new Map<string, SecretsErrorCode>(
  Object.entries({
    ResourceNotFoundException: 'ERR_SECRET_NOT_FOUND',
    ThrottlingException: 'ERR_SECRET_THROTTLED',
    TooManyRequestsException: 'ERR_SECRET_THROTTLED',
    Throttling: 'ERR_SECRET_THROTTLED',
    ThrottledException: 'ERR_SECRET_THROTTLED',
    RequestThrottled: 'ERR_SECRET_THROTTLED',
    RequestLimitExceeded: 'ERR_SECRET_THROTTLED',
    DecryptionFailure: 'ERR_SECRET_ACCESS_DENIED',
    AccessDeniedException: 'ERR_SECRET_ACCESS_DENIED',
    AccessDenied: 'ERR_SECRET_ACCESS_DENIED',
    UnrecognizedClientException: 'ERR_SECRET_ACCESS_DENIED',
    InvalidSignatureException: 'ERR_SECRET_ACCESS_DENIED',
    IncompleteSignature: 'ERR_SECRET_ACCESS_DENIED',
    MissingAuthenticationToken: 'ERR_SECRET_ACCESS_DENIED',
    InvalidClientTokenId: 'ERR_SECRET_ACCESS_DENIED',
    ExpiredTokenException: 'ERR_SECRET_ACCESS_DENIED',
    CredentialsProviderError: 'ERR_SECRET_ACCESS_DENIED',
    InternalServiceError: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    InternalFailure: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    ServiceUnavailable: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    ServiceUnavailableException: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    TimeoutError: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    RequestTimeout: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    RequestTimeoutException: 'ERR_SECRET_PROVIDER_UNAVAILABLE',
    InvalidParameterException: 'ERR_SECRET_INVALID',
    InvalidRequestException: 'ERR_SECRET_INVALID',
    ResourceExistsException: 'ERR_SECRET_INVALID',
    EncryptionFailure: 'ERR_SECRET_INVALID',
    LimitExceededException: 'ERR_SECRET_INVALID',
    PreconditionNotMetException: 'ERR_SECRET_INVALID',
    MalformedPolicyDocumentException: 'ERR_SECRET_INVALID',
  }) as [string, SecretsErrorCode][],
);

const WHAT: Readonly<Record<SecretsErrorCode, string>> = Object.freeze({
  ERR_SECRET_NOT_FOUND: 'was not found',
  ERR_SECRET_ACCESS_DENIED:
    'could not be read with these credentials (access denied or decryption failure)',
  ERR_SECRET_INVALID: 'was refused as invalid by the service',
  ERR_SECRET_PROVIDER_UNAVAILABLE: 'could not be reached (network error or service error)',
  ERR_SECRET_THROTTLED: 'was throttled by the service',
  ERR_SECRET_STALE: 'is stale',
  ERR_SECRET_ROTATION_FAILED: 'failed to rotate',
  ERR_SECRET_ROTATION_IN_PROGRESS: 'is being rotated',
});

function byStatus(status: number | undefined): SecretsErrorCode {
  if (status === undefined) return 'ERR_SECRET_PROVIDER_UNAVAILABLE'; // network: no response
  if (status === 404) return 'ERR_SECRET_NOT_FOUND';
  if (status === 401 || status === 403) return 'ERR_SECRET_ACCESS_DENIED';
  if (status === 429) return 'ERR_SECRET_THROTTLED';
  if (status >= 500) return 'ERR_SECRET_PROVIDER_UNAVAILABLE';
  if (status >= 400) return 'ERR_SECRET_INVALID';
  return 'ERR_SECRET_PROVIDER_UNAVAILABLE';
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * Maps an error from `@aws-sdk/client-secrets-manager` to a {@link SecretsError}, by the error's
 * **name** (`ResourceNotFoundException`, `ThrottlingException`, …): AWS answers "not found" with
 * HTTP 400 where emulators use 404, so the status is only the fallback for names it does not know.
 * A response-less failure (reset, refused connection, DNS) is `ERR_SECRET_PROVIDER_UNAVAILABLE`.
 *
 * The SDK's error is never kept: the `cause` is a new `Error` with the SDK error's name, HTTP
 * status, request id and (scrubbed, shortened) message, so no request, response or value can
 * reach a log through it.
 *
 * @example
 * ```ts
 * import { awsErrorToSecretsError } from '@portcullis/secrets-aws';
 * const sdkError = Object.assign(new Error('Rate exceeded'), {
 *   name: 'ThrottlingException',
 *   $metadata: { httpStatusCode: 400 },
 * });
 * awsErrorToSecretsError(sdkError, { secretName: 'db', operation: 'GetSecretValue' }).code;
 * // 'ERR_SECRET_THROTTLED'
 * ```
 */
export function awsErrorToSecretsError(error: unknown, context: AwsErrorContext): SecretsError {
  const name =
    typeof field(error, 'name') === 'string' ? (field(error, 'name') as string) : 'Error';
  const metadata = field(error, '$metadata');
  const rawStatus = field(metadata, 'httpStatusCode');
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const code = BY_NAME.get(name) ?? byStatus(status);
  const headers = field(field(error, '$response'), 'headers');
  const retryAfter = field(headers, 'retry-after');
  const retryAfterMs =
    code === 'ERR_SECRET_THROTTLED' && typeof retryAfter === 'string'
      ? parseRetryAfter(retryAfter, context.nowMs ?? Date.now(), context.maxRetryAfterMs ?? 20_000)
      : undefined;
  const requestId = field(metadata, 'requestId');
  const cause = safeCause(error, {
    name,
    status,
    requestId: typeof requestId === 'string' ? requestId : undefined,
    sensitive: context.sensitive,
  });
  const message = `AWS Secrets Manager: secret "${context.secretName}" ${WHAT[code]} (${context.operation}: ${name}${status === undefined ? '' : `, HTTP ${status}`}).`;
  return new SecretsError(code, message, {
    secretName: context.secretName,
    cause,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}
