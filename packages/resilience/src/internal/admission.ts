import { boundedCall } from '@portcullis/core';
import type { BulkheadPolicy } from 'cockatiel';
import { ResilienceError } from '../errors/ResilienceError.ts';
import type { Outcome } from '../options/PipelineOptions.ts';
import { type AttemptPlan, NEVER_ABORTED } from './callAttempt.ts';
import type { TokenBucket } from './TokenBucket.ts';

/**
 * Waits for a bulkhead slot within the deadline. cockatiel keeps a queued caller until a slot
 * frees, even once it aborted; here the wait ends at the deadline or the signal, and cockatiel
 * skips the entry (its signal is aborted) when its turn comes.
 */
export function waitForSlot<R>(
  plan: AttemptPlan<R>,
  bulkhead: BulkheadPolicy,
  call: () => Promise<Outcome<R>>,
  total: AbortSignal,
): Promise<Outcome<R>> {
  return boundedCall<Outcome<R>>((queued) => bulkhead.execute(call, queued), {
    timeoutMs: Math.max(1, plan.deadline - plan.clock.now()),
    clock: plan.clock,
    signal: total === NEVER_ABORTED ? undefined : total,
    onTimeout: () =>
      new ResilienceError(
        'ERR_RESILIENCE_TIMEOUT',
        `The call to "${plan.key}" ran out of its total time waiting for a bulkhead slot.`,
        { key: plan.key, scope: 'total' },
      ),
    onLateResult: (late) => {
      if (late.ok) plan.discard?.(late.value);
    },
  });
}

/** Timers may fire a little before the clock reaches their time; this much wait is always taken. */
const TIMER_SLACK_MS = 5;

/**
 * Waits for a rate-limit token when `maxWaitMs` and the deadline allow; otherwise throws what
 * `refuse(retryAt)` returns.
 */
export async function waitForToken<R>(
  plan: AttemptPlan<R>,
  limiter: TokenBucket,
  total: AbortSignal,
  firstWait: number,
  maxWaitMs: number,
  refuse: (retryAt: number) => Error,
): Promise<void> {
  for (let waited = 0, wait = firstWait; wait > 0; wait = limiter.take()) {
    const now = plan.clock.now();
    // A wait within timer granularity (a sleep woke a few ms early) is waited, not refused.
    const allowed = Math.max(maxWaitMs, TIMER_SLACK_MS);
    if (waited + wait > allowed || now + wait >= plan.deadline) throw refuse(now + wait);
    await plan.clock.sleep(wait, total);
    waited += wait;
  }
}
