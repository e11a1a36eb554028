import * as client from 'openid-client';
import { isOAuthError, OAuthError } from '../errors/OAuthError.ts';

const CLIENT_ERRORS = new Set(['invalid_client', 'unauthorized_client']);

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date), or undefined. */
export function retryAfterMs(response: Response | undefined, now: number): number | undefined {
  const value = response?.headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function withRetryAfter(
  code: 'ERR_OAUTH_SERVER_UNAVAILABLE',
  message: string,
  cause: unknown,
  response: Response | undefined,
  now: number,
): OAuthError {
  const after = retryAfterMs(response, now);
  return new OAuthError(
    code,
    message,
    after === undefined ? { cause } : { cause, retryAfterMs: after },
  );
}

/**
 * The server's `error` value when it is a plain OAuth error code (`invalid_client`), else
 * `unrecognised error`: server-chosen text never reaches a caller-facing message.
 */
function oauthErrorCode(value: unknown): string {
  return typeof value === 'string' && /^[a-z_]{1,40}$/.test(value) ? value : 'unrecognised error';
}

/**
 * Maps whatever a token request threw (openid-client's errors, network errors, our own) to an
 * {@link OAuthError}. Messages name the failure, never the response body (it may echo secrets).
 */
export function classifyError(error: unknown, now: number): OAuthError {
  if (isOAuthError(error)) return error;
  if (error instanceof client.ClientError && isOAuthError(error.cause)) return error.cause;
  if (error instanceof client.ResponseBodyError) {
    const status = error.status;
    if (status >= 500 || status === 429) {
      return withRetryAfter(
        'ERR_OAUTH_SERVER_UNAVAILABLE',
        `The token endpoint answered ${status} (${oauthErrorCode(error.error)}).`,
        error,
        error.response,
        now,
      );
    }
    if (CLIENT_ERRORS.has(error.error) || status === 401) {
      return new OAuthError(
        'ERR_OAUTH_CLIENT_REJECTED',
        `The authorization server rejected the client (${oauthErrorCode(error.error)}).`,
        { cause: error },
      );
    }
    return new OAuthError(
      'ERR_OAUTH_REQUEST_REJECTED',
      `The authorization server rejected the token request (${oauthErrorCode(error.error)}).`,
      { cause: error },
    );
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    if (error.status >= 500 || error.status === 429) {
      return withRetryAfter(
        'ERR_OAUTH_SERVER_UNAVAILABLE',
        `The token endpoint answered ${error.status}.`,
        error,
        error.response,
        now,
      );
    }
    return new OAuthError(
      'ERR_OAUTH_CLIENT_REJECTED',
      `The authorization server rejected the client (HTTP ${error.status} with a challenge).`,
      { cause: error },
    );
  }
  if (error instanceof client.ClientError) {
    const code = error.code;
    if (code === 'OAUTH_RESPONSE_IS_NOT_CONFORM') {
      const response = error.cause instanceof Response ? error.cause : undefined;
      const status = response?.status;
      if (
        status !== undefined &&
        status >= 400 &&
        status < 500 &&
        status !== 408 &&
        status !== 429
      ) {
        return new OAuthError(
          'ERR_OAUTH_REQUEST_REJECTED',
          `The token endpoint answered ${status} without an OAuth error.`,
          { cause: error },
        );
      }
      return withRetryAfter(
        'ERR_OAUTH_SERVER_UNAVAILABLE',
        `The token endpoint answered ${status ?? 'an unexpected status'}.`,
        error,
        response,
        now,
      );
    }
    if (
      code === 'OAUTH_INVALID_RESPONSE' ||
      code === 'OAUTH_RESPONSE_IS_NOT_JSON' ||
      code === 'OAUTH_PARSE_ERROR' ||
      code === 'OAUTH_UNSUPPORTED_OPERATION' ||
      code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED'
    ) {
      return new OAuthError(
        'ERR_OAUTH_INVALID_RESPONSE',
        'The token endpoint sent a response that is not a usable token response.',
        { cause: error },
      );
    }
    if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN' || code === 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN') {
      return new OAuthError(
        'ERR_OAUTH_REQUEST_REJECTED',
        'The token endpoint is not https (set allowInsecureHttp only for local development).',
        { cause: error },
      );
    }
    return new OAuthError(
      'ERR_OAUTH_SERVER_UNAVAILABLE',
      'The token request failed (network error or timeout).',
      { cause: error },
    );
  }
  return new OAuthError('ERR_OAUTH_SERVER_UNAVAILABLE', 'The token request failed.', {
    cause: error,
  });
}

/** Whether the provider should retry this failure on its own (with backoff). */
export function isRetryable(error: OAuthError): boolean {
  return error.code !== 'ERR_OAUTH_CLIENT_REJECTED' && error.code !== 'ERR_OAUTH_REQUEST_REJECTED';
}
