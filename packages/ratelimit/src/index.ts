export { createRateLimiter, type RateLimiter } from './createRateLimiter.ts';
export type { Decision, Degraded, RuleMode, RuleResult } from './Decision.ts';
export {
  isRateLimitError,
  RateLimitError,
  type RateLimitErrorCode,
} from './errors/RateLimitError.ts';
export type { Algorithm, Outcome, RuleShape } from './Outcome.ts';
export {
  DEFAULTS,
  type RateLimiterOptions,
  type RateLimitRule,
  type ResolvedRule,
} from './options.ts';
export {
  MemoryRateLimitStore,
  type MemoryRateLimitStoreOptions,
} from './stores/MemoryRateLimitStore.ts';
export type { RateLimitStore, StoreRequest, StoreRule } from './stores/RateLimitStore.ts';
export {
  type RedisCommandClient,
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from './stores/RedisRateLimitStore.ts';
