import { invalidArgument } from '../errors/invalidArgument.ts';
import { type Clock, systemClock } from '../time/Clock.ts';
import type { Counter, Store } from './Store.ts';
import { StoreError } from './StoreError.ts';

/** Options for {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries held at once. Default: 10000. */
  maxEntries?: number;
  /**
   * What a write of a new key does when the store is full after dropping expired entries:
   * `'evict'` drops the least recently written entry; `'reject'` refuses the write with a
   * `StoreError` (`ERR_STORE_FULL`). A replay store that must never forget a live nonce early
   * wants `'reject'` (fail closed); a cache wants `'evict'`. Default: `'evict'`.
   */
  whenFull?: 'evict' | 'reject';
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Called with the key of each live entry evicted because the store was full. */
  onEvict?: (key: string) => void;
}

interface Entry {
  value: string;
  expiresAt: number;
}

const INTEGER = /^-?\d+$/;

function checkTtl(ttlMs: number): void {
  if (typeof ttlMs !== 'number') throw invalidArgument('ttlMs', 'a number of milliseconds');
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument('ttlMs', 'a positive number of milliseconds', 'value');
  }
}

function checkString(name: string, value: string): void {
  if (typeof value !== 'string') throw invalidArgument(name, 'a string');
}

/**
 * The default {@link Store}: in process memory, bounded in entries, every entry expiring.
 * Serves one process; a fleet wants `RedisStore`. Operations are atomic because they run to
 * completion on the event loop.
 *
 * Expired entries are dropped when read and, when the store is full, in one sweep before anything
 * live is evicted; the sweep runs at most once per earliest-expiry, so a full store of long-lived
 * entries costs O(1) per write.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@portcullis/core';
 * const store = new MemoryStore({ maxEntries: 50_000, whenFull: 'reject' });
 * await store.setIfAbsent('nonce:msg_1', '1', 300_000); // true
 * await store.setIfAbsent('nonce:msg_1', '1', 300_000); // false: seen before
 * ```
 */
export class MemoryStore implements Store {
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #whenFull: 'evict' | 'reject';
  readonly #clock: Clock;
  readonly #onEvict: ((key: string) => void) | undefined;
  /** Earliest expiry among live entries (a lower bound): no sweep can free anything before it. */
  #nextSweepAt = Number.POSITIVE_INFINITY;

  constructor(options: MemoryStoreOptions = {}) {
    const { maxEntries = 10_000, whenFull = 'evict', clock = systemClock } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw invalidArgument('maxEntries', 'a positive integer', 'value');
    }
    if (whenFull !== 'evict' && whenFull !== 'reject') {
      throw invalidArgument('whenFull', "'evict' or 'reject'", 'value');
    }
    this.#maxEntries = maxEntries;
    this.#whenFull = whenFull;
    this.#clock = clock;
    this.#onEvict = options.onEvict;
  }

  /** Live and not-yet-swept entries. */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    checkString('key', key);
    return this.#live(key)?.value;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkString('key', key);
    checkString('value', value);
    checkTtl(ttlMs);
    this.#write(key, value, ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkString('key', key);
    checkString('value', value);
    checkTtl(ttlMs);
    if (this.#live(key) !== undefined) return false;
    this.#write(key, value, ttlMs);
    return true;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<Counter> {
    checkString('key', key);
    checkTtl(ttlMs);
    if (!Number.isSafeInteger(by)) throw invalidArgument('by', 'a safe integer', 'value');
    const entry = this.#live(key);
    if (entry === undefined) {
      this.#write(key, String(by), ttlMs);
      return { value: by, ttlMs };
    }
    // As strict as Redis INCRBY: a plain decimal integer, and no result past 2^53 - 1.
    const current = INTEGER.test(entry.value) ? Number(entry.value) : Number.NaN;
    if (!Number.isSafeInteger(current) || !Number.isSafeInteger(current + by)) {
      throw new StoreError(
        'ERR_STORE_CORRUPT',
        'The counter does not hold an integer, or the increment would overflow it.',
      );
    }
    entry.value = String(current + by);
    // A busy counter is recently written: move it to the end of the eviction order.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return { value: current + by, ttlMs: entry.expiresAt - this.#clock.now() };
  }

  async delete(key: string): Promise<boolean> {
    checkString('key', key);
    return this.#live(key) !== undefined && this.#entries.delete(key);
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    checkString('key', key);
    checkString('expected', expected);
    const entry = this.#live(key);
    if (entry === undefined || entry.value !== expected) return false;
    return this.#entries.delete(key);
  }

  /** Drops every entry. */
  clear(): void {
    this.#entries.clear();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #write(key: string, value: string, ttlMs: number): void {
    const now = this.#clock.now();
    // Re-inserting moves the key to the end: Map order is then least recently written first.
    if (!this.#entries.delete(key) && this.#entries.size >= this.#maxEntries) this.#makeRoom(now);
    const expiresAt = now + ttlMs;
    this.#entries.set(key, { value, expiresAt });
    // The next sweep is worth running as soon as anything expires, including this entry.
    if (expiresAt < this.#nextSweepAt) this.#nextSweepAt = expiresAt;
  }

  #makeRoom(now: number): void {
    if (now >= this.#nextSweepAt) {
      let earliest = Number.POSITIVE_INFINITY;
      for (const [key, entry] of this.#entries) {
        if (entry.expiresAt <= now) this.#entries.delete(key);
        else if (entry.expiresAt < earliest) earliest = entry.expiresAt;
      }
      this.#nextSweepAt = earliest;
    }
    if (this.#entries.size < this.#maxEntries) return;
    if (this.#whenFull === 'reject') {
      throw new StoreError('ERR_STORE_FULL', 'The in-memory store is full.');
    }
    const oldest = this.#entries.keys().next().value as string;
    this.#entries.delete(oldest);
    this.#onEvict?.(oldest);
  }
}
