import type { AttemptContext } from '../internal/callAttempt.ts';
import { type ExecuteOptions, PipelineCore } from '../internal/PipelineCore.ts';
import type { PipelineOptions } from '../options/PipelineOptions.ts';
import { resolvePipelineOptions } from '../options/resolvePipelineOptions.ts';
import type { BreakerRegistry } from '../policies/BreakerRegistry.ts';

/** What {@link createPipeline} returns. */
export interface Pipeline<T = unknown> {
  /**
   * Runs `fn` through the policies: the total deadline and the caller's signal reach every
   * attempt and every backoff sleep; refusals (`ERR_RESILIENCE_CIRCUIT_OPEN`, `…_BULKHEAD_FULL`,
   * `…_RATE_LIMITED`, `…_THROTTLED`) come at once, before `fn` is called. Resolves with `fn`'s
   * value; rejects with its last error, a {@link ResilienceError}, or the signal's reason.
   */
  execute<R extends T>(
    fn: (context: AttemptContext) => Promise<R> | R,
    options?: ExecuteOptions<R>,
  ): Promise<R>;
  /** The breakers, one per key (undefined when `breaker: false`): states, export, import. */
  readonly breakers: BreakerRegistry | undefined;
}

/**
 * A resilience pipeline, outermost first: fallback → total timeout (with the caller's signal) →
 * retry (budget, backoff, `Retry-After`) → per attempt: adaptive throttling → breaker → rate limit
 * → bulkhead → hedging → attempt timeout → `fn`. Options are validated here, once.
 *
 * @example
 * ```ts
 * import { createPipeline } from '@portcullis/resilience';
 * const pipeline = createPipeline({ attemptTimeoutMs: 2000, retry: { maxAttempts: 2 } });
 * const price = await pipeline.execute(async ({ signal }) => {
 *   const response = await fetch('https://api.example.com/price', { signal });
 *   return (await response.json()) as { amount: number };
 * });
 * ```
 */
export function createPipeline<T = unknown>(options?: PipelineOptions<T>): Pipeline<T> {
  const core = new PipelineCore<T>(resolvePipelineOptions('options', options));
  return {
    execute: (fn, executeOptions) => core.execute(fn, executeOptions),
    breakers: core.breakers,
  };
}
