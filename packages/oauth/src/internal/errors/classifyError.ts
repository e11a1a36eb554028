import { parseRetryAfter } from '@portcullis/core';
import * as client from 'openid-client';
import { isOAuthError, OAuthError } from '../../errors/OAuthError.ts';
import { safeCause } from './safeCause.ts';

const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client']);
const BAD_RESPONSE_CODES = new Set([
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_PARSE_ERROR',
  'OAUTH_UNSUPPORTED_OPERATION',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
]);

/**
 * The server's `error` value when it is a plain OAuth error code (`invalid_client`), else
 * `unrecognised error`: server-chosen text never reaches a caller-facing message.
 */
function oauthErrorCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z_]{1,40}$/.test(value) ? value : 'unrecognised error';
}

/** What is read of a response: duck-typed, as another `fetch` (undici's) has its own `Response`. */
interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
}

function isResponseLike(value: unknown): value is ResponseLike {
  if (typeof value !== 'object' || value === null) return false;
  const { status, headers } = value as { status?: unknown; headers?: { get?: unknown } };
  return typeof status === 'number' && typeof headers?.get === 'function';
}

/** The HTTP response an openid-client error carries (as `response` or as its `cause`), if any. */
function responseOf(error: unknown): ResponseLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { response, cause } = error as { response?: unknown; cause?: unknown };
  if (isResponseLike(response)) return response;
  if (isResponseLike(cause)) return cause;
  return undefined;
}

/**
 * Maps whatever a token request threw (openid-client's errors, network errors, our own) to an
 * {@link OAuthError}. An HTTP error status decides first, whatever the body (JSON, HTML from a
 * gateway, plain text): 5xx, 408 and 429 are an outage (`Retry-After` read, capped at
 * `maxRetryAfterMs`), 401 and `invalid_client` a rejected client, any other 4xx a rejected
 * request. Messages name the failure, never the response body (it may echo secrets), and the
 * `cause` kept is a {@link safeCause} copy.
 */
export function classifyError(error: unknown, now: number, maxRetryAfterMs: number): OAuthError {
  if (isOAuthError(error)) return error;
  if (error instanceof client.ClientError && isOAuthError(error.cause)) return error.cause;
  const cause = safeCause(error);
  const response = responseOf(error);
  const status = response?.status;
  const oauthCode =
    error instanceof client.ResponseBodyError
      ? error.error
      : error instanceof client.WWWAuthenticateChallengeError
        ? error.cause[0]?.parameters.error
        : undefined;
  const described = oauthCode === undefined ? '' : ` (${oauthErrorCode(oauthCode)})`;
  if (status !== undefined && (status >= 500 || status === 408 || status === 429)) {
    const after = parseRetryAfter(response?.headers.get('retry-after'), now, maxRetryAfterMs);
    return new OAuthError(
      'ERR_OAUTH_SERVER_UNAVAILABLE',
      `The token endpoint answered ${status}${described}.`,
      after === undefined ? { cause } : { cause, retryAfterMs: after },
    );
  }
  if (status !== undefined && status >= 400) {
    const challenged = error instanceof client.WWWAuthenticateChallengeError;
    if (status === 401 || challenged || (oauthCode !== undefined && CLIENT_ERRORS.has(oauthCode))) {
      return new OAuthError(
        'ERR_OAUTH_CLIENT_REJECTED',
        `The authorization server rejected the client (HTTP ${status}${described}).`,
        { cause },
      );
    }
    return new OAuthError(
      'ERR_OAUTH_REQUEST_REJECTED',
      `The authorization server rejected the token request (HTTP ${status}${described}).`,
      { cause },
    );
  }
  const code = error instanceof client.ClientError ? error.code : undefined;
  if (code !== undefined && BAD_RESPONSE_CODES.has(code)) {
    return new OAuthError(
      'ERR_OAUTH_INVALID_RESPONSE',
      'The token endpoint sent a response that is not a usable token response.',
      { cause },
    );
  }
  if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN' || code === 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN') {
    return new OAuthError(
      'ERR_OAUTH_REQUEST_REJECTED',
      'The token endpoint is not https (set allowInsecureHttp only for local development).',
      { cause },
    );
  }
  if (status !== undefined) {
    return new OAuthError(
      'ERR_OAUTH_SERVER_UNAVAILABLE',
      `The token endpoint answered ${status}.`,
      { cause },
    );
  }
  return new OAuthError(
    'ERR_OAUTH_SERVER_UNAVAILABLE',
    'The token request failed (network error or timeout).',
    { cause },
  );
}

/** Whether the provider should retry this failure on its own (with backoff). */
export function isRetryable(error: OAuthError): boolean {
  return error.code !== 'ERR_OAUTH_CLIENT_REJECTED' && error.code !== 'ERR_OAUTH_REQUEST_REJECTED';
}
