import type { Cancel, Clock } from '@portcullis/core';

/** The one pending timer of a cache entry (its next refresh or retry), on the injected clock. */
export class RefreshTimer {
  readonly #clock: Clock;
  #cancel: Cancel | undefined;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Runs `task` at `at` (ms since epoch), replacing any timer already set. */
  set(at: number, task: () => void): void {
    this.cancel();
    const delay = Math.max(0, at - this.#clock.now());
    this.#cancel = this.#clock.schedule(delay, () => {
      this.#cancel = undefined;
      task();
    });
  }

  cancel(): void {
    this.#cancel?.();
    this.#cancel = undefined;
  }
}
