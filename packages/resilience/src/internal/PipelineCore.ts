import {
  boundedCall,
  exponentialBackoffMs,
  isPortcullisError,
  noopTelemetry,
} from '@portcullis/core';
import { BulkheadPolicy, BulkheadRejectedError } from 'cockatiel';
import { isResilienceError, ResilienceError } from '../errors/ResilienceError.ts';
import type { Outcome } from '../options/PipelineOptions.ts';
import type { ResolvedPipelineOptions } from '../options/resolvePipelineOptions.ts';
import { type BreakerRegistry, createBreakerRegistry } from '../policies/BreakerRegistry.ts';
import { AdaptiveThrottle } from './AdaptiveThrottle.ts';
import { type AttemptContext, type AttemptPlan, callHedged, callOnce } from './callAttempt.ts';
import { RetryBudget } from './RetryBudget.ts';
import { TokenBucket } from './TokenBucket.ts';

/** Per-call choices of `execute`. */
export interface ExecuteOptions<T> {
  /** The caller's signal: reaches every attempt and every backoff sleep. Default: none. */
  signal?: AbortSignal | undefined;
  /** Breaker, budget, bulkhead and limiter key for this call. Default: the pipeline's `key`. */
  key?: string | undefined;
  /** The call may run twice without harm: only such calls are hedged. Default: false. */
  idempotent?: boolean | undefined;
  /** Total calls for this one, capped by `retry.maxAttempts` (1: no retry). Default: the policy's. */
  maxAttempts?: number | undefined;
  /** Turns a final failure (not the caller's abort) into a value. Default: none. */
  fallback?: ((error: unknown) => T | Promise<T>) | undefined;
}

interface KeyState {
  readonly budget: RetryBudget | undefined;
  readonly limiter: TokenBucket | undefined;
  readonly throttle: AdaptiveThrottle | undefined;
  readonly bulkhead: BulkheadPolicy | undefined;
}

/** Refusals by our own policies are never retried and never count against a breaker. */
function isRefusal(error: unknown): boolean {
  return (
    isResilienceError(error) &&
    error.code !== 'ERR_RESILIENCE_TIMEOUT' &&
    error.code !== 'ERR_RESILIENCE_CHAOS'
  );
}

function isTimeout(outcome: Outcome): boolean {
  return !outcome.ok && isPortcullisError(outcome.error, 'ERR_RESILIENCE_TIMEOUT');
}

const defaultRetryOn = (outcome: Outcome): boolean => !outcome.ok && !isRefusal(outcome.error);

/** The pipeline's engine: the retry loop around one attempt, and the state kept per key. */
export class PipelineCore<T> {
  readonly o: ResolvedPipelineOptions<T>;
  readonly breakers: BreakerRegistry | undefined;
  readonly #keys = new Map<string, KeyState>();
  readonly #retryOn: (outcome: Outcome<T>) => boolean;
  readonly #failureOn: (outcome: Outcome<T>) => boolean;

  constructor(options: ResolvedPipelineOptions<T>) {
    this.o = options;
    this.breakers =
      options.breaker === false
        ? undefined
        : (options.breakers ??
          createBreakerRegistry({
            ...options.breaker,
            clock: options.clock,
            telemetry: options.telemetry,
          }));
    this.#retryOn = options.retryOn ?? defaultRetryOn;
    this.#failureOn = options.failureOn ?? this.#retryOn;
  }

  /** The state for `key`, made on first use. */
  state(key: string): KeyState {
    let state = this.#keys.get(key);
    if (state !== undefined) return state;
    const o = this.o;
    state = {
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
    this.#keys.set(key, state);
    return state;
  }

  execute<R extends T>(
    fn: (context: AttemptContext) => Promise<R> | R,
    options: ExecuteOptions<R> = {},
  ): Promise<R> {
    const o = this.o;
    const key = options.key ?? o.key;
    const callerSignal = options.signal;
    const plan: AttemptPlan<R> = {
      fn,
      clock: o.clock,
      key,
      attemptTimeoutMs: o.attemptTimeoutMs,
      deadline: o.clock.now() + o.totalTimeoutMs,
      callerSignal,
      discard: o.discard as ((value: R) => void) | undefined,
      isFailure: this.#failureOn as (outcome: Outcome<R>) => boolean,
    };
    const run = (): Promise<R> =>
      boundedCall<R>((total) => this.#attempts(plan, options, total), {
        timeoutMs: o.totalTimeoutMs,
        clock: o.clock,
        signal: callerSignal,
        onTimeout: () =>
          new ResilienceError(
            'ERR_RESILIENCE_TIMEOUT',
            `The call to "${key}" took longer than ${o.totalTimeoutMs} ms in total.`,
            { key, scope: 'total' },
          ),
        onLateResult: plan.discard,
      });
    const traced =
      o.telemetry === noopTelemetry
        ? run
        : () => o.telemetry.span('portcullis.resilience.execute', run, { key });
    const fallback = options.fallback;
    if (fallback === undefined) return traced();
    return traced().catch((error: unknown) => {
      if (callerSignal?.aborted) throw error;
      o.telemetry.count('portcullis.resilience.fallbacks', 1, { key });
      return fallback(error);
    });
  }

  async #attempts<R extends T>(
    plan: AttemptPlan<R>,
    options: ExecuteOptions<R>,
    total: AbortSignal,
  ): Promise<R> {
    const o = this.o;
    const state = this.state(plan.key);
    const policyMax = o.retry === false ? 1 : o.retry.maxAttempts;
    const maxAttempts = Math.max(1, Math.min(options.maxAttempts ?? policyMax, policyMax));
    const hedge = options.idempotent === true ? o.hedging : false;
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(plan, state, attempt, total, hedge);
      if (total.aborted) {
        if (outcome.ok) plan.discard?.(outcome.value);
        throw total.reason;
      }
      const attrs = { key: plan.key, attempt };
      o.telemetry.count('portcullis.resilience.attempts', 1, attrs);
      if (!this.#retryOn(outcome as Outcome<T>)) {
        if (outcome.ok) {
          state.budget?.deposit(spent);
          return outcome.value;
        }
        throw outcome.error;
      }
      if (o.retry === false || attempt >= maxAttempts) return this.#end(outcome, plan.key);
      const retry = o.retry;
      let delay = exponentialBackoffMs(
        attempt,
        {
          initialMs: retry.initialDelayMs,
          maxMs: retry.maxDelayMs,
          multiplier: retry.multiplier,
          jitter: retry.jitter,
        },
        o.random,
      );
      const asked = outcome.ok
        ? o.retryAfterMs?.(outcome.value)
        : (outcome.error as { retryAfterMs?: unknown }).retryAfterMs;
      if (typeof asked === 'number' && asked > delay)
        delay = Math.min(asked, retry.maxRetryAfterMs);
      // A sleep that would reach the deadline only trades the partner's answer for a timeout.
      if (o.clock.now() + delay >= plan.deadline) return this.#end(outcome, plan.key);
      const cost =
        state.budget === undefined ? 0 : state.budget.withdraw(isTimeout(outcome as Outcome));
      if (cost === undefined) {
        o.telemetry.count('portcullis.resilience.retry_budget.exhausted', 1, { key: plan.key });
        if (outcome.ok) return outcome.value;
        throw new ResilienceError(
          'ERR_RESILIENCE_RETRY_BUDGET_EXHAUSTED',
          `A retry to "${plan.key}" was due, but its retry budget is spent.`,
          { key: plan.key, attempts: attempt, cause: outcome.error },
        );
      }
      spent += cost;
      if (outcome.ok) plan.discard?.(outcome.value);
      o.telemetry.count('portcullis.resilience.retries', 1, attrs);
      if (delay > 0) await o.clock.sleep(delay, total);
    }
  }

  #end<R>(outcome: Outcome<R>, key: string): R {
    this.o.telemetry.count('portcullis.resilience.retries_exhausted', 1, { key });
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  }

  /** One attempt through throttling, breaker, rate limit and bulkhead; refusals throw. */
  async #attempt<R extends T>(
    plan: AttemptPlan<R>,
    state: KeyState,
    attempt: number,
    total: AbortSignal,
    hedge: ResolvedPipelineOptions['hedging'],
  ): Promise<Outcome<R>> {
    const o = this.o;
    if (state.throttle?.drop()) {
      throw this.#refused('ERR_RESILIENCE_THROTTLED', plan.key, attempt, undefined);
    }
    const breaker = this.breakers?.get(plan.key);
    let probe: boolean;
    try {
      probe = breaker?.acquire() ?? false;
    } catch (error) {
      o.telemetry.count('portcullis.resilience.rejections', 1, {
        key: plan.key,
        reason: 'circuit_open',
      });
      throw error;
    }
    let outcome: Outcome<R>;
    try {
      await this.#takeToken(plan, state, attempt, total);
      const call = (): Promise<Outcome<R>> =>
        hedge === false
          ? callOnce(plan, attempt, total)
          : callHedged(plan, attempt, total, hedge.delayMs, hedge.maxHedges);
      outcome = state.bulkhead ? await state.bulkhead.execute(call, total) : await call();
    } catch (error) {
      breaker?.release(probe);
      if (error instanceof BulkheadRejectedError) {
        throw this.#refused('ERR_RESILIENCE_BULKHEAD_FULL', plan.key, attempt, undefined);
      }
      throw error;
    }
    if (plan.callerSignal?.aborted) {
      breaker?.release(probe);
      return outcome;
    }
    const failure = plan.isFailure(outcome);
    breaker?.record(probe, failure);
    state.throttle?.record(!failure);
    return outcome;
  }

  async #takeToken<R>(
    plan: AttemptPlan<R>,
    state: KeyState,
    attempt: number,
    total: AbortSignal,
  ): Promise<void> {
    const limiter = state.limiter;
    if (limiter === undefined || this.o.rateLimit === false) return;
    const maxWaitMs = this.o.rateLimit.maxWaitMs;
    for (let waited = 0; ; ) {
      const wait = limiter.take();
      if (wait === 0) return;
      const now = this.o.clock.now();
      if (waited + wait > maxWaitMs || now + wait >= plan.deadline) {
        throw this.#refused('ERR_RESILIENCE_RATE_LIMITED', plan.key, attempt, now + wait);
      }
      await this.o.clock.sleep(wait, total);
      waited += wait;
    }
  }

  #refused(
    code:
      | 'ERR_RESILIENCE_THROTTLED'
      | 'ERR_RESILIENCE_BULKHEAD_FULL'
      | 'ERR_RESILIENCE_RATE_LIMITED',
    key: string,
    attempt: number,
    retryAt: number | undefined,
  ): ResilienceError {
    const reason = {
      ERR_RESILIENCE_THROTTLED: 'throttled',
      ERR_RESILIENCE_BULKHEAD_FULL: 'bulkhead_full',
      ERR_RESILIENCE_RATE_LIMITED: 'rate_limited',
    }[code];
    this.o.telemetry.count('portcullis.resilience.rejections', 1, { key, reason });
    const what = {
      ERR_RESILIENCE_THROTTLED: 'was dropped by adaptive throttling',
      ERR_RESILIENCE_BULKHEAD_FULL: 'found every bulkhead slot and queue place taken',
      ERR_RESILIENCE_RATE_LIMITED: 'was refused by the client-side rate limit',
    }[code];
    return new ResilienceError(code, `A call to "${key}" ${what}; no call was made.`, {
      key,
      attempts: attempt - 1,
      retryAt,
    });
  }
}
