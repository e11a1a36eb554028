import { ResilienceError } from '../errors/ResilienceError.ts';

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
