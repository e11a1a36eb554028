import { isPortcullisError } from '@portcullis/core';
import { isRateLimitError } from '../errors/RateLimitError.ts';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** The RFC 9457 problem details body {@link problemResponse} sends. */
export interface ProblemDetails {
  type: 'about:blank';
  title: string;
  status: number;
  /** The error's caller-safe message. */
  detail: string;
  /** The error's stable code (`ERR_RATE_LIMITED`, `ERR_SOURCE_FORBIDDEN`, `ERR_WEBHOOK_…`). */
  code: string;
}

/**
 * Turns an error into an RFC 9457 `application/problem+json` response. A Portcullis error with a
 * `status` (a `RateLimitError`, a `SourceError`, a `WebhookError`…) answers with that status, its
 * `code` and its caller-safe message; a `RateLimitError` also carries `Retry-After`, `RateLimit`
 * and `RateLimit-Policy`. Anything else is a bare 500 that says nothing about the error (log it
 * yourself). Never includes a stack or a cause.
 *
 * @example
 * ```ts
 * import { problemResponse } from '@portcullis/ratelimit/fetch';
 * import { createSourceFilter } from '@portcullis/ratelimit/source';
 * let response: Response | undefined;
 * try {
 *   createSourceFilter({ allow: ['10.0.0.0/8'] }).check({ remoteAddress: '192.0.2.1' });
 * } catch (error) {
 *   response = problemResponse(error); // 403, {"type":"about:blank","title":"Forbidden",…}
 * }
 * ```
 */
export function problemResponse(error: unknown): Response {
  const known = isPortcullisError(error) && error.status !== undefined;
  const status = known ? (error.status as number) : 500;
  const body: ProblemDetails = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail: known ? error.message : 'Internal error.',
    code: known ? error.code : 'ERR_INTERNAL',
  };
  const headers = new Headers({ 'content-type': 'application/problem+json' });
  if (isRateLimitError(error)) {
    for (const [name, value] of Object.entries(error.headers)) headers.set(name, value);
  }
  return new Response(JSON.stringify(body), { status, headers });
}
