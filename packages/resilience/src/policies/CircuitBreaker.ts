import type { Clock } from '@portcullis/core';
import { ConsecutiveBreaker } from 'cockatiel';
import { ResilienceError } from '../errors/ResilienceError.ts';
import { RollingWindow } from '../internal/RollingWindow.ts';
import type { BreakerOptions } from '../options/PipelineOptions.ts';

/** Where a breaker stands. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A breaker's state as {@link CircuitBreaker.exportState} writes it (JSON-safe). */
export interface BreakerSnapshot {
  /** `'half-open'` is exported as `'open'` with `openUntil` now: a restart probes again. */
  state: 'closed' | 'open';
  /** When an open breaker may half-open (ms since the epoch). */
  openUntil?: number;
  /** Failures in a row counted so far. */
  consecutiveFailures: number;
}

/** A breaker transition, as reported to listeners and telemetry. */
export interface BreakerTransition {
  key: string;
  from: BreakerState;
  to: BreakerState;
}

/**
 * A circuit breaker for one key. Opens on `consecutiveFailures` in a row (counted by cockatiel's
 * `ConsecutiveBreaker`) or when `failureRatio` of at least `minThroughput` calls in the sampling
 * window failed. After `breakDurationMs` ONE probe goes out; every other caller fails fast with
 * `ERR_RESILIENCE_CIRCUIT_OPEN` until the probe settles (cockatiel 4 queues them behind it).
 * Made by a {@link BreakerRegistry}; use its `get(key)`.
 *
 * @example
 * ```ts
 * import { createBreakerRegistry } from '@portcullis/resilience';
 * const breaker = createBreakerRegistry().get('api.example.com');
 * breaker.state; // 'closed'
 * ```
 */
export class CircuitBreaker {
  /** The key this breaker guards (a host for `resilientFetch`). */
  readonly key: string;
  readonly #options: Required<BreakerOptions>;
  readonly #clock: Clock;
  readonly #window: RollingWindow;
  readonly #consecutive: ConsecutiveBreaker | undefined;
  readonly #onTransition: (t: BreakerTransition) => void;
  #state: BreakerState = 'closed';
  #openUntil = 0;
  #probeOut = false;

  /** @internal Use a {@link BreakerRegistry}. */
  constructor(
    key: string,
    options: Required<BreakerOptions>,
    clock: Clock,
    onTransition: (t: BreakerTransition) => void,
  ) {
    this.key = key;
    this.#options = options;
    this.#clock = clock;
    this.#window = new RollingWindow(clock, options.samplingWindowMs);
    this.#consecutive =
      options.consecutiveFailures > 0
        ? new ConsecutiveBreaker(options.consecutiveFailures)
        : undefined;
    this.#onTransition = onTransition;
  }

  /** The current state; an open breaker whose break has passed reads `'half-open'`. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#clock.now() >= this.#openUntil) return 'half-open';
    return this.#state;
  }

  /** When an open breaker half-opens (ms since the epoch); `undefined` when closed. */
  get openUntil(): number | undefined {
    return this.#state === 'closed' ? undefined : this.#openUntil;
  }

  /**
   * Asks to make a call. Returns `true` when the call is the half-open probe, `false` for a normal
   * call; throws `ERR_RESILIENCE_CIRCUIT_OPEN` at once when open or while the probe is out.
   */
  acquire(): boolean {
    if (this.#state === 'closed') return false;
    const now = this.#clock.now();
    if (this.#state === 'open' && now >= this.#openUntil) this.#move('half-open');
    if (this.#state === 'half-open' && !this.#probeOut) {
      this.#probeOut = true;
      return true;
    }
    throw new ResilienceError(
      'ERR_RESILIENCE_CIRCUIT_OPEN',
      this.#state === 'open'
        ? `The circuit for "${this.key}" is open; no call was made.`
        : `The circuit for "${this.key}" is half-open and its probe is out; no call was made.`,
      { key: this.key, retryAt: Math.max(now, this.#openUntil) },
    );
  }

  /** Gives back a probe permit without an outcome (the call never went out). */
  release(probe: boolean): void {
    if (probe) this.#probeOut = false;
  }

  /** Records how a call made under `acquire()` ended. */
  record(probe: boolean, failed: boolean): void {
    if (probe) this.#probeOut = false;
    if (this.#state === 'half-open') {
      if (!probe) return;
      if (failed) this.#open();
      else this.#close();
      return;
    }
    if (this.#state === 'open') return;
    this.#window.add(!failed);
    if (!failed) {
      this.#consecutive?.success();
      return;
    }
    if (this.#consecutive?.failure()) {
      this.#open();
      return;
    }
    const bad = this.#window.bad;
    const total = bad + this.#window.good;
    if (total >= this.#options.minThroughput && bad / total >= this.#options.failureRatio) {
      this.#open();
    }
  }

  /** Opens the breaker now for `breakDurationMs` (or `forMs`), e.g. on an operator's word. */
  isolate(forMs: number = this.#options.breakDurationMs): void {
    this.#open(forMs);
  }

  /** Closes the breaker and forgets its counts. */
  reset(): void {
    this.#close();
  }

  /** The state to carry over a restart. */
  exportState(): BreakerSnapshot {
    const consecutiveFailures = (this.#consecutive?.state as number | undefined) ?? 0;
    if (this.#state === 'closed') return { state: 'closed', consecutiveFailures };
    return {
      state: 'open',
      openUntil: this.#state === 'open' ? this.#openUntil : this.#clock.now(),
      consecutiveFailures,
    };
  }

  /** Restores state written by {@link exportState}; an unreadable snapshot is ignored. */
  importState(snapshot: BreakerSnapshot): void {
    if (typeof snapshot !== 'object' || snapshot === null) return;
    const count = snapshot.consecutiveFailures;
    if (this.#consecutive && Number.isInteger(count) && count >= 0) this.#consecutive.state = count;
    if (snapshot.state === 'open' && Number.isFinite(snapshot.openUntil)) {
      // A restored break never lasts longer than one break from now: a clock that differs
      // between processes cannot park a partner for ever.
      const until = Math.min(
        snapshot.openUntil as number,
        this.#clock.now() + this.#options.breakDurationMs,
      );
      this.#openUntil = until;
      this.#probeOut = false;
      if (this.#state !== 'open') this.#move('open');
    }
  }

  #open(forMs: number = this.#options.breakDurationMs): void {
    this.#openUntil = this.#clock.now() + forMs;
    this.#probeOut = false;
    this.#window.reset();
    this.#consecutive?.success();
    this.#move('open');
  }

  #close(): void {
    this.#window.reset();
    this.#consecutive?.success();
    this.#probeOut = false;
    if (this.#state !== 'closed') this.#move('closed');
  }

  #move(to: BreakerState): void {
    const from = this.#state;
    if (from === to) return;
    this.#state = to;
    this.#onTransition({ key: this.key, from, to });
  }
}
