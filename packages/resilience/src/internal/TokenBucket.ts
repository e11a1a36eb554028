import type { Clock } from '@portcullis/core';

/**
 * A token bucket on the injected clock: `ratePerSec` tokens a second up to `burst`. With no rate it
 * never runs dry on its own; `pauseUntil` (fed by a server's `RateLimit` headers) empties it until a
 * moment either way.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #ratePerMs: number | undefined;
  readonly #burst: number;
  #tokens: number;
  #at: number;
  #pausedUntil = 0;

  constructor(clock: Clock, ratePerSec: number | undefined, burst: number | undefined) {
    this.#clock = clock;
    this.#ratePerMs = ratePerSec === undefined ? undefined : ratePerSec / 1000;
    this.#burst = burst ?? Math.max(1, Math.ceil(ratePerSec ?? 1));
    this.#tokens = this.#burst;
    this.#at = clock.now();
  }

  /** Takes a token: returns 0, or how many ms until one is due (nothing taken). */
  take(): number {
    if (this.#ratePerMs === undefined && this.#pausedUntil === 0) return 0;
    const now = this.#clock.now();
    if (now < this.#pausedUntil) return this.#pausedUntil - now;
    if (this.#ratePerMs === undefined) return 0;
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + Math.max(0, now - this.#at) * this.#ratePerMs,
    );
    this.#at = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }

  /** No tokens until `at` (ms since the epoch); a later pause wins over an earlier one. */
  pauseUntil(at: number): void {
    if (at > this.#pausedUntil) this.#pausedUntil = at;
    this.#tokens = 0;
    this.#at = Math.max(this.#at, at);
  }
}
