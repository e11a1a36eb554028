import { type Cancel, type Clock, exponentialBackoffMs } from '@portcullis/core';

interface Pending {
  key: string;
  value: string;
  until: number;
  attempt: number;
  cancel: Cancel | undefined;
}

/**
 * `setIfAbsent` writes whose outcome is unknown (the connection dropped, the primary died, no
 * reply came within the timeout): each is taken back (`compareAndDelete` of the value written,
 * unique to the call, so nothing else is ever removed) in the background once the store answers
 * again, retried with back-off (100 ms doubling to 2 s) until the entry would have expired
 * anyway. So a replay mark or a lock that a promoted replica kept, for a call its caller saw
 * fail, does not outlive the outage by more than a retry. At most {@link MAX_PENDING_UNDOS} are
 * held (a long outage under load must not grow memory and timers without bound): a write past
 * that is not taken back (it expires by its TTL) and `onDrop` is told.
 */
/** The most writes of unknown outcome a store holds to take back. */
export const MAX_PENDING_UNDOS = 10_000;

export class UndoQueue {
  readonly #clock: Clock;
  readonly #undo: (key: string, value: string) => Promise<unknown>;
  readonly #pending = new Set<Pending>();
  readonly #onDrop: () => void;

  constructor(
    clock: Clock,
    undo: (key: string, value: string) => Promise<unknown>,
    onDrop: () => void = () => {},
  ) {
    this.#clock = clock;
    this.#undo = undo;
    this.#onDrop = onDrop;
  }

  /** How many writes are still to be taken back. */
  get size(): number {
    return this.#pending.size;
  }

  add(key: string, value: string, ttlMs: number): void {
    if (this.#pending.size >= MAX_PENDING_UNDOS) {
      this.#onDrop();
      return;
    }
    const entry: Pending = {
      key,
      value,
      until: this.#clock.now() + ttlMs,
      attempt: 1,
      cancel: undefined,
    };
    this.#pending.add(entry);
    this.#arm(entry);
  }

  #arm(entry: Pending): void {
    const delay = exponentialBackoffMs(
      entry.attempt,
      { initialMs: 100, maxMs: 2000, jitter: 'half' },
      Math.random,
    );
    if (this.#clock.now() + delay >= entry.until) {
      this.#pending.delete(entry); // it expires by itself before the next try
      return;
    }
    entry.cancel = this.#clock.schedule(delay, () => {
      entry.cancel = undefined;
      this.#undo(entry.key, entry.value).then(
        () => this.#pending.delete(entry),
        () => {
          entry.attempt++;
          if (this.#pending.has(entry)) this.#arm(entry);
        },
      );
    });
  }

  /** One last try for every pending write (each bounded by the store), then forgets them all. */
  async flush(): Promise<void> {
    const all = [...this.#pending];
    this.#pending.clear();
    for (const entry of all) entry.cancel?.();
    await Promise.all(all.map((e) => this.#undo(e.key, e.value).catch(() => {})));
  }
}
