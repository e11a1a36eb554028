// `@portcullis/ratelimit/fetch`: the limiter and the problem-details answer over Fetch API
// `Request`/`Response`, for any framework that speaks them (or an adapter that converts).
export {
  type ProblemAnswer,
  type ProblemDetails,
  problemDetails,
  problemResponse,
} from './fetch/problemResponse.ts';
export {
  type RateLimitRequestOptions,
  type RateLimitRequestResult,
  rateLimitRequest,
} from './fetch/rateLimitRequest.ts';
export { withRateLimitHeaders } from './fetch/withRateLimitHeaders.ts';
