import { ResilienceError } from '../errors/ResilienceError.ts';
import { NEVER_ABORTED } from './callAttempt.ts';

/** The refusals made before any call goes out. */
export type RefusalCode =
  | 'ERR_RESILIENCE_THROTTLED'
  | 'ERR_RESILIENCE_BULKHEAD_FULL'
  | 'ERR_RESILIENCE_RATE_LIMITED';

/** The `reason` attribute of the rejections metric. */
export const REFUSAL_REASON: Record<RefusalCode, string> = {
  ERR_RESILIENCE_THROTTLED: 'throttled',
  ERR_RESILIENCE_BULKHEAD_FULL: 'bulkhead_full',
  ERR_RESILIENCE_RATE_LIMITED: 'rate_limited',
};

const WHAT: Record<RefusalCode, string> = {
  ERR_RESILIENCE_THROTTLED: 'was dropped by adaptive throttling',
  ERR_RESILIENCE_BULKHEAD_FULL: 'found every bulkhead slot and queue place taken',
  ERR_RESILIENCE_RATE_LIMITED: 'was refused by the client-side rate limit',
};

/** The error for a refusal of attempt number `attempt` to `key`. */
export function refusal(
  code: RefusalCode,
  key: string,
  attempt: number,
  retryAt: number | undefined,
): ResilienceError {
  return new ResilienceError(code, `A call to "${key}" ${WHAT[code]}; no call was made.`, {
    key,
    attempts: attempt - 1,
    retryAt,
  });
}

/** `promise`, or the signal's reason as soon as it aborts (the promise's own result is dropped). */
export function abortable<V>(promise: Promise<V>, signal: AbortSignal): Promise<V> {
  if (signal === NEVER_ABORTED) return promise;
  return new Promise<V>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
