import { exponentialBackoffMs } from '@portcullis/core';
import type { Outcome } from '../options/PipelineOptions.ts';
import type { ResolvedPipelineOptions } from '../options/resolvePipelineOptions.ts';

/**
 * The wait before retry number `attempt`: core's capped exponential backoff with jitter, raised to
 * what the outcome asks for (`Retry-After`, or an error's `retryAfterMs`), capped at
 * `maxRetryAfterMs`. The caller still checks it against the deadline.
 */
export function retryDelayMs<T>(
  retry: Exclude<ResolvedPipelineOptions['retry'], false>,
  attempt: number,
  outcome: Outcome<T>,
  retryAfterMs: ((value: T) => number | undefined) | undefined,
  random: () => number,
): number {
  const backoff = exponentialBackoffMs(
    attempt,
    {
      initialMs: retry.initialDelayMs,
      maxMs: retry.maxDelayMs,
      multiplier: retry.multiplier,
      jitter: retry.jitter,
    },
    random,
  );
  const asked = outcome.ok
    ? retryAfterMs?.(outcome.value)
    : (outcome.error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof asked === 'number' && asked > backoff
    ? Math.min(asked, retry.maxRetryAfterMs)
    : backoff;
}
