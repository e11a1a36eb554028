import type { Clock } from '@portcullis/core';

/** Counts two kinds of events over the last `windowMs`, in `buckets` slices, on the injected clock. */
export class RollingWindow {
  readonly #clock: Clock;
  readonly #sliceMs: number;
  readonly #good: number[];
  readonly #bad: number[];
  #slice = 0;
  #at = Number.NEGATIVE_INFINITY;
  #goodTotal = 0;
  #badTotal = 0;

  constructor(clock: Clock, windowMs: number, buckets = 10) {
    this.#clock = clock;
    this.#sliceMs = Math.max(1, Math.ceil(windowMs / buckets));
    this.#good = new Array<number>(buckets).fill(0);
    this.#bad = new Array<number>(buckets).fill(0);
  }

  /** Events that went well in the window. */
  get good(): number {
    this.#rotate();
    return this.#goodTotal;
  }

  /** Events that went badly in the window. */
  get bad(): number {
    this.#rotate();
    return this.#badTotal;
  }

  add(good: boolean): void {
    this.#rotate();
    if (good) {
      this.#good[this.#slice] = (this.#good[this.#slice] as number) + 1;
      this.#goodTotal++;
    } else {
      this.#bad[this.#slice] = (this.#bad[this.#slice] as number) + 1;
      this.#badTotal++;
    }
  }

  reset(): void {
    this.#good.fill(0);
    this.#bad.fill(0);
    this.#goodTotal = 0;
    this.#badTotal = 0;
  }

  /** Moves to the slice for now, clearing every slice that fell out of the window. */
  #rotate(): void {
    const now = Math.floor(this.#clock.now() / this.#sliceMs);
    if (now === this.#at) return;
    const steps = Math.min(this.#good.length, Math.max(0, now - this.#at));
    for (let i = 0; i < steps; i++) {
      this.#slice = (this.#slice + 1) % this.#good.length;
      this.#goodTotal -= this.#good[this.#slice] as number;
      this.#badTotal -= this.#bad[this.#slice] as number;
      this.#good[this.#slice] = 0;
      this.#bad[this.#slice] = 0;
    }
    // A clock that went backwards keeps the current slice rather than double-counting.
    if (now > this.#at || this.#at === Number.NEGATIVE_INFINITY) this.#at = now;
  }
}
