/** A cancel function for a scheduled task. */
export type Cancel = () => void;

/**
 * Time as every time-dependent Portcullis package sees it. Inject a {@link ManualClock} in tests
 * so they never sleep.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason if `signal` aborts first.
   * Keeps the process alive while pending (it is awaited by someone).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Runs `task` once after `ms` milliseconds, in the background: it does not keep a Node process
   * alive. Returns a function that cancels it.
   */
  schedule(ms: number, task: () => void): Cancel;
}

/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days); longer ones fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** `setTimeout` for any delay: longer than {@link MAX_TIMER_MS} is waited out in hops. */
function timer(ms: number, run: () => void, unref: boolean): () => void {
  let handle: ReturnType<typeof setTimeout>;
  const arm = (left: number): void => {
    handle = setTimeout(
      left > MAX_TIMER_MS ? () => arm(left - MAX_TIMER_MS) : run,
      Math.min(left, MAX_TIMER_MS),
    );
    if (unref) (handle as { unref?: () => void }).unref?.();
  };
  arm(Math.max(0, ms));
  return () => clearTimeout(handle);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * The real clock: `Date.now()` and timers.
 *
 * @example
 * ```ts
 * import { systemClock } from '@portcullis/core';
 * const startedAt = systemClock.now();
 * ```
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = (): void => {
        cancel();
        reject(abortReason(signal as AbortSignal));
      };
      const cancel = timer(
        ms,
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        false,
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  schedule(ms, task) {
    return timer(ms, task, true);
  },
};

interface Pending {
  at: number;
  seq: number;
  run: () => void;
}

/**
 * A clock that moves only when told to: `advance(ms)` runs, in time order, every sleep and
 * scheduled task that falls due. For tests.
 *
 * @example
 * ```ts
 * import { ManualClock } from '@portcullis/core';
 * const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
 * const woke = clock.sleep(1000);
 * clock.advance(1000); // `woke` resolves
 * ```
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #pending: Pending[] = [];

  /** @param startMs the initial time, in milliseconds since the epoch. Default: 0. */
  constructor(startMs = 0) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Sets the time without running anything that falls due (a clock jump). */
  set(ms: number): void {
    this.#now = ms;
  }

  /** Moves time forward by `ms`, running due sleeps and tasks in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      this.#pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.#pending[0];
      if (next === undefined || next.at > target) break;
      this.#pending.shift();
      this.#now = Math.max(this.#now, next.at);
      next.run();
    }
    this.#now = target;
  }

  /** How many sleeps and tasks are waiting. */
  get pending(): number {
    return this.#pending.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const entry = this.#add(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = (): void => {
        this.#remove(entry);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  schedule(ms: number, task: () => void): Cancel {
    const entry = this.#add(ms, task);
    return () => this.#remove(entry);
  }

  #add(ms: number, run: () => void): Pending {
    const entry = { at: this.#now + Math.max(0, ms), seq: this.#seq++, run };
    this.#pending.push(entry);
    return entry;
  }

  #remove(entry: Pending): void {
    const i = this.#pending.indexOf(entry);
    if (i >= 0) this.#pending.splice(i, 1);
  }
}
