import { BulkheadPolicy } from 'cockatiel';
import type { ResolvedPipelineOptions } from '../options/resolvePipelineOptions.ts';
import { AdaptiveThrottle } from './AdaptiveThrottle.ts';
import { RetryBudget } from './RetryBudget.ts';
import { TokenBucket } from './TokenBucket.ts';

/** What a pipeline keeps per key (the breaker lives in the registry). */
export interface KeyState {
  readonly budget: RetryBudget | undefined;
  readonly limiter: TokenBucket | undefined;
  readonly throttle: AdaptiveThrottle | undefined;
  readonly bulkhead: BulkheadPolicy | undefined;
}

/** Fresh per-key state for the policies that are on. */
export function createKeyState(o: ResolvedPipelineOptions<never>): KeyState {
  return {
    budget: o.retryBudget === false ? undefined : new RetryBudget(o.retryBudget),
    limiter:
      o.rateLimit === false
        ? undefined
        : new TokenBucket(o.clock, o.rateLimit.ratePerSec, o.rateLimit.burst),
    throttle:
      o.adaptiveThrottling === false
        ? undefined
        : new AdaptiveThrottle(
            o.clock,
            o.adaptiveThrottling.k,
            o.adaptiveThrottling.windowMs,
            o.random,
          ),
    bulkhead:
      o.bulkhead === false
        ? undefined
        : new BulkheadPolicy(o.bulkhead.maxConcurrent, o.bulkhead.maxQueued),
  };
}
