import type { Clock } from '@portcullis/core';
import { RollingWindow } from './RollingWindow.ts';

/**
 * Client-side adaptive throttling from the Google SRE book ("Handling Overload"): drop a request
 * locally with probability max(0, (requests − K·accepts) / (requests + 1)), counts over a window.
 */
export class AdaptiveThrottle {
  readonly #k: number;
  readonly #window: RollingWindow;
  readonly #random: () => number;

  constructor(clock: Clock, k: number, windowMs: number, random: () => number) {
    this.#k = k;
    this.#window = new RollingWindow(clock, windowMs, 20);
    this.#random = random;
  }

  /** The chance the next request is dropped, in [0, 1). */
  get rejectProbability(): number {
    const accepts = this.#window.good;
    const requests = accepts + this.#window.bad;
    return Math.max(0, (requests - this.#k * accepts) / (requests + 1));
  }

  /** Whether to drop this request locally. A dropped request counts as a request, not an accept. */
  drop(): boolean {
    const p = this.rejectProbability;
    if (p > 0 && this.#random() < p) {
      this.#window.add(false);
      return true;
    }
    return false;
  }

  /** Records a request the backend answered; `accepted` = not an overload-like failure. */
  record(accepted: boolean): void {
    this.#window.add(accepted);
  }
}
