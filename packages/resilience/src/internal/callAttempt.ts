import { boundedCall, type Clock } from '@portcullis/core';
import { ResilienceError } from '../errors/ResilienceError.ts';
import type { Outcome } from '../options/PipelineOptions.ts';

/** What the function under the pipeline receives. */
export interface AttemptContext {
  /**
   * Aborts when this attempt times out, the total deadline passes, the caller aborts, or the
   * attempt lost a hedge. Never aborted after the attempt returned: a `fetch` body stays readable.
   */
  readonly signal: AbortSignal;
  /** 1 for the first call, 2 for the first retry, … (hedged calls share their attempt's number). */
  readonly attempt: number;
}

/** What one attempt needs to know, fixed per call. */
export interface AttemptPlan<T> {
  readonly fn: (context: AttemptContext) => Promise<T> | T;
  readonly clock: Clock;
  readonly key: string;
  readonly attemptTimeoutMs: number;
  readonly deadline: number;
  readonly callerSignal: AbortSignal | undefined;
  readonly discard: ((value: T) => void) | undefined;
  /** Whether an outcome is worth another call (a hedge loses to the first that is not). */
  readonly isRetryable: (outcome: Outcome<T>) => boolean;
}

/** The parent signal of calls made without a caller signal (no listener is ever added to it). */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}
function failed<T>(error: unknown): Outcome<T> {
  return { ok: false, error };
}

/** One call of `fn`, bounded by the attempt timeout (and what is left of the deadline). */
export function callOnce<T>(
  plan: AttemptPlan<T>,
  attempt: number,
  parent: AbortSignal,
): Promise<Outcome<T>> {
  const left = plan.deadline - plan.clock.now();
  const scope = left < plan.attemptTimeoutMs ? 'total' : 'attempt';
  return boundedCall<T>(
    (inner) =>
      plan.fn({
        // The caller's own signal stays linked after we return (boundedCall unlinks its parent).
        signal: plan.callerSignal ? AbortSignal.any([inner, plan.callerSignal]) : inner,
        attempt,
      }),
    {
      timeoutMs: Math.max(1, Math.min(plan.attemptTimeoutMs, left)),
      clock: plan.clock,
      signal: parent === NEVER_ABORTED ? undefined : parent,
      onTimeout: () =>
        new ResilienceError(
          'ERR_RESILIENCE_TIMEOUT',
          scope === 'attempt'
            ? `An attempt for "${plan.key}" took longer than ${plan.attemptTimeoutMs} ms.`
            : `The call to "${plan.key}" ran out of its total time.`,
          { key: plan.key, scope, attempts: attempt },
        ),
      onLateResult: plan.discard,
    },
  ).then(ok<T>, failed<T>);
}

/**
 * One attempt with hedging: the first call, then up to `maxHedges` more, each `delayMs` after the
 * last while none has succeeded. The first non-failure wins; the others are aborted and any value
 * they still produce is discarded. When every call fails, the last failure is the outcome.
 */
export function callHedged<T>(
  plan: AttemptPlan<T>,
  attempt: number,
  parent: AbortSignal,
  delayMs: number,
  maxHedges: number,
): Promise<Outcome<T>> {
  return new Promise<Outcome<T>>((resolve) => {
    const controllers: AbortController[] = [];
    let running = 0;
    let settled = false;
    let cancelTimer: () => void = () => {};
    const onParentAbort = (): void => {
      for (const c of controllers) c.abort(parent.reason);
    };
    parent.addEventListener('abort', onParentAbort, { once: true });
    const settle = (outcome: Outcome<T>, winner: AbortController | undefined): void => {
      settled = true;
      cancelTimer();
      parent.removeEventListener('abort', onParentAbort);
      for (const c of controllers) if (c !== winner) c.abort(new Error('hedge lost'));
      resolve(outcome);
    };
    const launch = (): void => {
      const controller = new AbortController();
      controllers.push(controller);
      running++;
      if (controllers.length <= maxHedges) cancelTimer = plan.clock.schedule(delayMs, launchNext);
      void callOnce(plan, attempt, parent.aborted ? parent : controller.signal).then((outcome) => {
        running--;
        if (settled) {
          if (outcome.ok) plan.discard?.(outcome.value);
          return;
        }
        if (!plan.isRetryable(outcome)) return settle(outcome, controller);
        if (running > 0) {
          if (outcome.ok) plan.discard?.(outcome.value);
          return;
        }
        // Every call so far failed: hedge at once if hedges are left, else that is the outcome.
        if (controllers.length <= maxHedges && !parent.aborted) {
          if (outcome.ok) plan.discard?.(outcome.value);
          cancelTimer();
          return launch();
        }
        settle(outcome, controller);
      });
    };
    const launchNext = (): void => {
      if (!settled && !parent.aborted) launch();
    };
    launch();
  });
}
