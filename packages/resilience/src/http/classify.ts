import { isResilienceError } from '../errors/ResilienceError.ts';
import type { Outcome } from '../options/PipelineOptions.ts';

/** Methods retried without a key: safe or idempotent by RFC 9110 §9.2. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Methods hedged: reads only (a hedged PUT would write twice at once). */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT.has(method);
}

export function isReadMethod(method: string): boolean {
  return READS.has(method);
}

/** 408, 429 and 5xx except 501 (Not Implemented) and 505 (Version Not Supported), which never heal. */
export function isRetryableStatus(status: number): boolean {
  return (
    status === 408 ||
    status === 429 ||
    (status >= 500 && status <= 599 && status !== 501 && status !== 505)
  );
}

/** A thrown error from `fetch` worth a retry: network errors and attempt timeouts, not refusals or aborts. */
function isRetryableError(error: unknown): boolean {
  if (isResilienceError(error)) {
    return error.code === 'ERR_RESILIENCE_TIMEOUT' || error.code === 'ERR_RESILIENCE_CHAOS';
  }
  const name = (error as { name?: unknown } | null)?.name;
  return name !== 'AbortError';
}

/** Retry on network errors, timeouts, 408, 429, 5xx. */
export function retryOnResponse(outcome: Outcome<Response>): boolean {
  return outcome.ok ? isRetryableStatus(outcome.value.status) : isRetryableError(outcome.error);
}

/** The breaker counts the same, except 429: a partner that says "slow down" is alive. */
export function failureOnResponse(outcome: Outcome<Response>): boolean {
  return outcome.ok
    ? outcome.value.status !== 429 && isRetryableStatus(outcome.value.status)
    : isRetryableError(outcome.error);
}
