import type { Clock } from './Clock.ts';

/** Options for {@link boundedCall}. */
export interface BoundedCallOptions<T> {
  /** The bound. Milliseconds, on `clock`. */
  timeoutMs: number;
  /** The clock the bound runs on (a `ManualClock` in tests). */
  clock: Clock;
  /** The caller's signal: aborting it ends the call at once with the signal's reason. */
  signal?: AbortSignal | undefined;
  /** The error to reject with when the bound passes. */
  onTimeout: () => Error;
  /**
   * Called with the result of work that settles after the bound passed (the caller has already
   * seen the timeout): the place to undo a write that landed late. Errors it throws are ignored.
   */
  onLateResult?: ((value: T) => void | Promise<void>) | undefined;
}

/**
 * Runs `work` with a deadline on the injected clock: resolves with its result, or rejects with
 * `onTimeout()` once `timeoutMs` passes, or with the signal's reason when `signal` aborts. The
 * signal handed to `work` aborts in both cases, so work that honours it stops. A result that
 * arrives late goes to `onLateResult`, never to the caller; a late rejection is swallowed.
 *
 * @example
 * ```ts
 * import { boundedCall, systemClock } from '@portcullis/core';
 * const body = await boundedCall((signal) => fetch('https://example.com', { signal }).then((r) => r.text()), {
 *   timeoutMs: 5000,
 *   clock: systemClock,
 *   onTimeout: () => new Error('example.com did not answer in 5 s'),
 * });
 * ```
 */
export function boundedCall<T>(
  work: (signal: AbortSignal) => Promise<T> | T,
  { timeoutMs, clock, signal, onTimeout, onLateResult }: BoundedCallOptions<T>,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  const inner = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      cancelTimer();
      signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const onAbort = (): void => {
      if (!finish()) return;
      inner.abort(signal?.reason);
      reject(signal?.reason);
    };
    const cancelTimer = clock.schedule(timeoutMs, () => {
      if (!finish()) return;
      const error = onTimeout();
      inner.abort(error);
      reject(error);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(work(inner.signal));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        if (finish()) resolve(value);
        else if (onLateResult) {
          try {
            Promise.resolve(onLateResult(value)).catch(() => {});
          } catch {
            // a failing undo must not become an unhandled error
          }
        }
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}
