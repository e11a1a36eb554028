export {
  type ChaosFetchOptions,
  chaosFetch,
} from './chaos/chaosFetch.ts';
export { type ChaosOptions, withChaos } from './chaos/withChaos.ts';
export {
  isResilienceError,
  ResilienceError,
  type ResilienceErrorCode,
  type ResilienceErrorOptions,
} from './errors/ResilienceError.ts';
export { rateLimitPauseMs } from './http/rateLimitHeaders.ts';
export {
  type ResilientFetchOptions,
  resilientFetch,
} from './http/resilientFetch.ts';
export type { AttemptContext } from './internal/callAttempt.ts';
export type { ExecuteOptions } from './internal/PipelineCore.ts';
export { DEFAULTS } from './options/DEFAULTS.ts';
export type {
  AdaptiveThrottlingOptions,
  BreakerOptions,
  BulkheadOptions,
  HedgingOptions,
  Outcome,
  PipelineOptions,
  RateLimitOptions,
  RetryBudgetOptions,
  RetryOptions,
} from './options/PipelineOptions.ts';
export { createPipeline, type Pipeline } from './pipeline/createPipeline.ts';
export {
  type BreakerRegistry,
  type BreakerRegistryOptions,
  createBreakerRegistry,
} from './policies/BreakerRegistry.ts';
export {
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
  CircuitBreaker,
} from './policies/CircuitBreaker.ts';
