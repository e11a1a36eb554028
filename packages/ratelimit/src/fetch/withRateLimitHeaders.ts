import type { Decision } from '../Decision.ts';

/**
 * The same response with the decision's `RateLimit` and `RateLimit-Policy` headers (and
 * `Retry-After` on a refusal) set. A response whose headers are immutable (one straight from
 * `fetch`) is copied first.
 *
 * @example
 * ```ts
 * import { createRateLimiter } from '@portcullis/ratelimit';
 * import { withRateLimitHeaders } from '@portcullis/ratelimit/fetch';
 * const decision = await createRateLimiter({ limit: 10, windowMs: 1000 }).check('client-1');
 * const response = withRateLimitHeaders(new Response('ok'), decision);
 * response.headers.get('RateLimit'); // '"default";r=9;t=1'
 * ```
 */
export function withRateLimitHeaders(response: Response, decision: Decision): Response {
  const entries = Object.entries(decision.headers);
  try {
    for (const [name, value] of entries) response.headers.set(name, value);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    for (const [name, value] of entries) copy.headers.set(name, value);
    return copy;
  }
}
