import type { RateLimiter } from '../createRateLimiter.ts';
import type { Decision } from '../Decision.ts';
import { isRateLimitError } from '../errors/RateLimitError.ts';
import { problemResponse } from './problemResponse.ts';

/** Options of {@link rateLimitRequest}. */
export interface RateLimitRequestOptions {
  limiter: RateLimiter;
  /**
   * The key to count the request under, from the request: an API key id, a client address from
   * `@portcullis/ratelimit/source`, a route plus either. Keep it bounded in size.
   */
  key: (request: Request) => string | Promise<string>;
}

/** What {@link rateLimitRequest} answers. */
export interface RateLimitRequestResult {
  decision: Decision;
  /**
   * The 429 (or 503 when failing closed) problem-details response to send when refused, with
   * `Retry-After` and `RateLimit` headers; `undefined` when the request may go on.
   */
  refusal: Response | undefined;
}

/**
 * Rate limits one Fetch API `Request`: checks `limiter` under `key(request)` and, when a live rule
 * refuses, hands back the response to send. Put the decision's headers on your own response with
 * `withRateLimitHeaders`. Works wherever `Request`/`Response` exist (Node, Hono, Next.js, Deno,
 * Bun, workers).
 *
 * @example
 * ```ts
 * import { createRateLimiter } from '@portcullis/ratelimit';
 * import { rateLimitRequest, withRateLimitHeaders } from '@portcullis/ratelimit/fetch';
 *
 * const limiter = createRateLimiter({ limit: 100, windowMs: 60_000 });
 * async function handle(request: Request): Promise<Response> {
 *   const { decision, refusal } = await rateLimitRequest(request, {
 *     limiter,
 *     key: (r) => r.headers.get('x-api-key-id') ?? 'anonymous',
 *   });
 *   if (refusal) return refusal;
 *   return withRateLimitHeaders(new Response('ok'), decision);
 * }
 * ```
 */
export async function rateLimitRequest(
  request: Request,
  options: RateLimitRequestOptions,
): Promise<RateLimitRequestResult> {
  const key = await options.key(request);
  try {
    const decision = await options.limiter.enforce(key);
    return { decision, refusal: undefined };
  } catch (error) {
    if (!isRateLimitError(error)) throw error;
    return { decision: error.decision, refusal: problemResponse(error) };
  }
}
