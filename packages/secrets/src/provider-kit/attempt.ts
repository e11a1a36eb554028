import {
  boundedCall,
  type Clock,
  exponentialBackoffMs,
  invalidArgument,
  systemClock,
} from '@portcullis/core';
import { isSecretsError, SecretsError } from '../errors/SecretsError.ts';

/** How every call to the service is bounded and retried (resolved options). */
export interface AttemptPolicy {
  readonly timeoutMs: number;
  readonly maxThrottleRetries: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly clock: Clock;
  /** Uniform in [0, 1): the backoff's jitter (`Math.random` unless a test fixes it). */
  readonly random: () => number;
}

/** What one call is, for the timeout message. */
export interface CallLabel {
  readonly provider: string;
  readonly operation: string;
  readonly secretName: string;
}

/**
 * Runs `work` with each attempt bounded by `timeoutMs` (its signal aborts the SDK request), maps
 * failures with `map`, and retries throttling up to `maxThrottleRetries` times after a full-jitter
 * exponential backoff (or the service's `Retry-After`, when longer). Other failures, and a
 * timeout, end the call at once. The caller's `signal` ends it with the signal's reason.
 */
export async function attempt<T>(
  label: CallLabel,
  policy: AttemptPolicy,
  map: (error: unknown) => SecretsError,
  work: (signal: AbortSignal) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await boundedCall(work, {
        timeoutMs: policy.timeoutMs,
        clock: policy.clock,
        signal,
        onTimeout: () =>
          new SecretsError(
            'ERR_SECRET_PROVIDER_UNAVAILABLE',
            `${label.provider}: secret "${label.secretName}" did not answer ${label.operation} within ${policy.timeoutMs} ms.`,
            { secretName: label.secretName },
          ),
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const mapped = isSecretsError(error) ? error : map(error);
      if (mapped.code !== 'ERR_SECRET_THROTTLED' || retry >= policy.maxThrottleRetries) {
        throw mapped;
      }
      const backoff = exponentialBackoffMs(
        retry + 1,
        { ...policy.backoff, jitter: 'full' },
        policy.random,
      );
      await policy.clock.sleep(Math.max(backoff, mapped.retryAfterMs ?? 0), signal);
    }
  }
}

/**
 * The {@link AttemptPolicy} of a provider's resolved options: `clock` defaults to the system
 * clock and `random` to `Math.random`.
 */
export function attemptPolicy(o: {
  readonly timeoutMs: number;
  readonly maxThrottleRetries: number;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly clock?: Clock | undefined;
  readonly random?: (() => number) | undefined;
}): AttemptPolicy {
  return {
    timeoutMs: o.timeoutMs,
    maxThrottleRetries: o.maxThrottleRetries,
    backoff: o.backoff,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
  };
}

/** A secret name (or version id) argument: a non-empty string, or a `TypeError` naming `what`. */
export function checkName(value: unknown, what = 'name'): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(what, 'a string');
  if (value.length === 0) throw invalidArgument(what, 'a non-empty string', 'value');
}
