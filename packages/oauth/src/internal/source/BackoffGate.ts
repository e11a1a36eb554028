import { exponentialBackoffMs } from '@portcullis/core';
import { OAuthError } from '../../errors/OAuthError.ts';
import type { ResolvedPolicy } from '../../options/resolveProviderOptions.ts';
import { isRetryable } from '../errors/classifyError.ts';

/**
 * When the next token request may be sent after failures: capped exponential backoff with half
 * jitter (each delay drawn between half and all of `initialBackoffMs * 2^(n-1)`, capped at
 * `maxBackoffMs`), stretched to a server's `Retry-After` (capped the same); after a rejection
 * (`invalid_client`…), `rejectedCooldownMs`. While closed, callers get the last error at once.
 */
export class BackoffGate {
  readonly #policy: ResolvedPolicy;
  readonly #random: () => number;
  #failures = 0;
  #nextAttemptAt = 0;
  #lastError: OAuthError | undefined;

  constructor(policy: ResolvedPolicy, random: () => number) {
    this.#policy = policy;
    this.#random = random;
  }

  /** When the next attempt may start (0: now). */
  get nextAttemptAt(): number {
    return this.#nextAttemptAt;
  }

  /** The error to answer with instead of a request, while the gate is closed at `now`. */
  refusal(now: number): OAuthError | undefined {
    const last = this.#lastError;
    if (last === undefined || now >= this.#nextAttemptAt) return undefined;
    return new OAuthError(last.code, last.message, {
      cause: last,
      retryAfterMs: this.#nextAttemptAt - now,
    });
  }

  /** A request succeeded: the next one may go at once. */
  reset(): void {
    this.#failures = 0;
    this.#nextAttemptAt = 0;
    this.#lastError = undefined;
  }

  /**
   * Records a failed attempt; returns the error for callers (with `retryAfterMs`) and whether a
   * background retry makes sense (a transient failure, not a rejection).
   */
  fail(failure: OAuthError, now: number): { surfaced: OAuthError; retryable: boolean } {
    this.#failures++;
    const retryable = isRetryable(failure);
    let delay: number;
    if (retryable) {
      const serverAsked = Math.min(failure.retryAfterMs ?? 0, this.#policy.maxBackoffMs);
      delay = Math.max(this.#backoffMs(), serverAsked);
    } else {
      // Configuration errors fail fast: callers get the error for a cool-down.
      delay = this.#policy.rejectedCooldownMs;
    }
    this.#nextAttemptAt = now + delay;
    const cause = failure.cause ?? failure;
    const surfaced = new OAuthError(failure.code, failure.message, { cause, retryAfterMs: delay });
    this.#lastError = surfaced;
    return { surfaced, retryable };
  }

  #backoffMs(): number {
    return exponentialBackoffMs(
      this.#failures,
      {
        initialMs: this.#policy.initialBackoffMs,
        maxMs: this.#policy.maxBackoffMs,
        jitter: 'half',
      },
      this.#random,
    );
  }
}
