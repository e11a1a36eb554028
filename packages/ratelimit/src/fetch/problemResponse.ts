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

/** A problem-details answer as plain data, for frameworks that do not speak `Response`. */
export interface ProblemAnswer {
  status: number;
  /** `content-type: application/problem+json`, plus the rate-limit headers of a `RateLimitError`. */
  headers: Record<string, string>;
  body: ProblemDetails;
}

/**
 * The RFC 9457 problem details for an error, as plain data (`status`, `headers`, `body`), for
 * Express, Fastify and any framework with its own response object. A Portcullis error with a
 * `status` (a `RateLimitError`, a `SourceError`, a `WebhookError`…) answers with that status, its
 * `code` and its caller-safe message; a `RateLimitError` also carries `Retry-After`, `RateLimit`
 * and `RateLimit-Policy`. Anything else is a bare 500 that says nothing about the error (log it
 * yourself). Never includes a stack or a cause.
 *
 * @example
 * ```ts
 * import { problemDetails } from '@portcullis/ratelimit/fetch';
 * const answer = problemDetails(new Error('db password wrong'));
 * answer.status; // 500, and answer.body.detail is 'Internal error.'
 * ```
 */
export function problemDetails(error: unknown): ProblemAnswer {
  const known = isPortcullisError(error) && error.status !== undefined;
  const status = known ? (error.status as number) : 500;
  const body: ProblemDetails = {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail: known ? error.message : 'Internal error.',
    code: known ? error.code : 'ERR_INTERNAL',
  };
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (isRateLimitError(error)) Object.assign(headers, error.headers);
  return { status, headers, body };
}

/**
 * {@link problemDetails} as a Fetch API `Response` (`application/problem+json`).
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
  const { status, headers, body } = problemDetails(error);
  return new Response(JSON.stringify(body), { status, headers });
}
