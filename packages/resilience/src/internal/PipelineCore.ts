import { boundedCall, isPortcullisError, noopTelemetry } from '@portcullis/core';
import { BulkheadRejectedError } from 'cockatiel';
import { isResilienceError, ResilienceError } from '../errors/ResilienceError.ts';
import type { Outcome } from '../options/PipelineOptions.ts';
import type { ResolvedPipelineOptions } from '../options/resolvePipelineOptions.ts';
import { type BreakerRegistry, createBreakerRegistry } from '../policies/BreakerRegistry.ts';
import { waitForSlot, waitForToken } from './admission.ts';
import {
  type AttemptContext,
  type AttemptPlan,
  callHedged,
  callOnce,
  NEVER_ABORTED,
} from './callAttempt.ts';
import { createKeyState, type KeyState } from './keyState.ts';
import { REFUSAL_REASON, type RefusalCode, refusal } from './refusal.ts';
import { retryDelayMs } from './retryDelayMs.ts';
import type { TokenBucket } from './TokenBucket.ts';

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

/** Most keys whose budget, limiter, throttle and bulkhead are kept. */
const MAX_KEYS = 10_000;

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
    if (state === undefined) {
      // Bounded: past MAX_KEYS the oldest key's state is dropped (it restarts fresh if seen again).
      if (this.#keys.size >= MAX_KEYS) this.#keys.delete(this.#keys.keys().next().value as string);
      state = createKeyState(this.o as ResolvedPipelineOptions<never>);
      this.#keys.set(key, state);
    }
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
      isRetryable: this.#retryOn as (outcome: Outcome<R>) => boolean,
    };
    const run = (): Promise<R> => this.#run(plan, options);
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

  /**
   * The first attempt runs under its own timer only (bounded by what is left of the total), so a
   * call that succeeds at once arms one timer, not two. Only when a retry may follow does one
   * total deadline start to cover the sleeps and the later attempts.
   */
  async #run<R extends T>(plan: AttemptPlan<R>, options: ExecuteOptions<R>): Promise<R> {
    const o = this.o;
    const state = this.state(plan.key);
    const hedge = options.idempotent === true ? o.hedging : false;
    const caller = plan.callerSignal ?? NEVER_ABORTED;
    const first = await this.#attempt(plan, state, 1, caller, hedge);
    const outcome = this.#settle(first, plan, caller, 1);
    if (!this.#retryOn(outcome as Outcome<T>)) return this.#finish(outcome, state, 0);
    return boundedCall<R>((total) => this.#retries(plan, options, state, hedge, total, outcome), {
      timeoutMs: Math.max(1, plan.deadline - o.clock.now()),
      clock: o.clock,
      signal: plan.callerSignal,
      onTimeout: () =>
        new ResilienceError(
          'ERR_RESILIENCE_TIMEOUT',
          `The call to "${plan.key}" took longer than ${o.totalTimeoutMs} ms in total.`,
          { key: plan.key, scope: 'total' },
        ),
      onLateResult: plan.discard,
    });
  }

  /** Counts an attempt; throws the signal's reason when the caller or the deadline ended it. */
  #settle<R>(
    outcome: Outcome<R>,
    plan: AttemptPlan<R>,
    signal: AbortSignal,
    attempt: number,
  ): Outcome<R> {
    if (signal.aborted) {
      if (outcome.ok) plan.discard?.(outcome.value);
      throw signal.reason;
    }
    this.o.telemetry.count('portcullis.resilience.attempts', 1, { key: plan.key, attempt });
    return outcome;
  }

  #finish<R>(outcome: Outcome<R>, state: KeyState, spent: number): R {
    if (!outcome.ok) throw outcome.error;
    state.budget?.deposit(spent);
    return outcome.value;
  }

  async #retries<R extends T>(
    plan: AttemptPlan<R>,
    options: ExecuteOptions<R>,
    state: KeyState,
    hedge: ResolvedPipelineOptions['hedging'],
    total: AbortSignal,
    first: Outcome<R>,
  ): Promise<R> {
    const o = this.o;
    const policyMax = o.retry === false ? 1 : o.retry.maxAttempts;
    const maxAttempts = Math.max(1, Math.min(options.maxAttempts ?? policyMax, policyMax));
    let outcome = first;
    let spent = 0;
    for (let attempt = 1; ; attempt++) {
      if (o.retry === false || attempt >= maxAttempts) return this.#end(outcome, plan.key);
      const delay = retryDelayMs(o.retry, attempt, outcome, o.retryAfterMs, o.random);
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
      o.telemetry.count('portcullis.resilience.retries', 1, { key: plan.key, attempt });
      if (delay > 0) await this.#backoff(delay, total, plan.key, attempt);
      const next = await this.#attempt(plan, state, attempt + 1, total, hedge);
      outcome = this.#settle(next, plan, total, attempt + 1);
      if (!this.#retryOn(outcome as Outcome<T>)) return this.#finish(outcome, state, spent);
    }
  }

  /** The backoff sleep: a child span of the call (where tracing is on) and a histogram point. */
  #backoff(delayMs: number, total: AbortSignal, key: string, attempt: number): Promise<void> {
    const t = this.o.telemetry;
    t.record('portcullis.resilience.backoff_ms', delayMs, { key });
    const sleep = (): Promise<void> => this.o.clock.sleep(delayMs, total);
    return t === noopTelemetry
      ? sleep()
      : t.span('portcullis.resilience.backoff', sleep, { key, attempt, delay_ms: delayMs });
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
      const wait = state.limiter?.take() ?? 0;
      if (wait > 0) {
        const limits = o.rateLimit === false ? 0 : o.rateLimit.maxWaitMs;
        await waitForToken(plan, state.limiter as TokenBucket, total, wait, limits, (retryAt) =>
          this.#refused('ERR_RESILIENCE_RATE_LIMITED', plan.key, attempt, retryAt),
        );
      }
      const call = (): Promise<Outcome<R>> =>
        hedge === false
          ? callOnce(plan, attempt, total)
          : callHedged(plan, attempt, total, hedge.delayMs, hedge.maxHedges);
      const bulkhead = state.bulkhead;
      if (bulkhead === undefined) outcome = await call();
      else if (bulkhead.executionSlots > 0) {
        outcome = await bulkhead.execute(call, total);
      } else {
        outcome = await waitForSlot(plan, bulkhead, call, total);
      }
    } catch (error) {
      breaker?.release(probe);
      if (total.aborted) throw total.reason;
      if (error instanceof BulkheadRejectedError) {
        throw this.#refused('ERR_RESILIENCE_BULKHEAD_FULL', plan.key, attempt, undefined);
      }
      throw error;
    }
    if (plan.callerSignal?.aborted) {
      breaker?.release(probe);
      return outcome;
    }
    const failure = this.#failureOn(outcome as Outcome<T>);
    breaker?.record(probe, failure);
    // A partner's "slow down" (429) is no accept, though it is no breaker failure either.
    state.throttle?.record(!this.#retryOn(outcome as Outcome<T>));
    return outcome;
  }

  #refused(
    code: RefusalCode,
    key: string,
    attempt: number,
    retryAt: number | undefined,
  ): ResilienceError {
    this.o.telemetry.count('portcullis.resilience.rejections', 1, {
      key,
      reason: REFUSAL_REASON[code],
    });
    return refusal(code, key, attempt, retryAt);
  }
}
