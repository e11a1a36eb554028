/**
 * Shared state for the packages that need it: token caches and refresh locks (`oauth`), replay
 * nonces (`webhooks`), counters (`ratelimit`), idempotency records. Every entry expires: there is
 * no way to store forever. Keys and values are well-formed strings (no lone surrogates); callers
 * namespace their keys (`oauth:token:…`) and encode values (JSON). TTLs are in milliseconds;
 * a backend may round them up to its own resolution (Redis: whole milliseconds).
 * Misuse (a key that is not a string, a TTL that is not positive) rejects with a `TypeError`.
 *
 * Implementations: {@link MemoryStore} for one process, `RedisStore` (`@portcullis/store-redis`)
 * for a fleet. Every operation is atomic with respect to the others on the same key, across all
 * processes that share the store. A store that cannot be reached rejects with a `StoreError`
 * (`ERR_STORE_UNAVAILABLE`). Secrets other than short-lived access tokens are never put in a store.
 */
export interface Store {
  /** The value at `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets `key` to `value`, replacing any value, expiring after `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /**
   * Sets `key` only if it is absent (or expired); returns whether it did. The building block for
   * replay nonces and locks: among racing callers on any number of processes exactly one wins.
   */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /**
   * Adds `by` (default 1) to the integer at `key`, creating it at 0 with a lifetime of `ttlMs`
   * when absent. The lifetime is set only on creation (a fixed window). Returns the new value and
   * the milliseconds left before the counter expires.
   */
  increment(key: string, ttlMs: number, by?: number): Promise<Counter>;
  /** Removes `key`; returns whether it was present. */
  delete(key: string): Promise<boolean>;
  /**
   * Removes `key` only if its value is `expected`; returns whether it did. Releases a lock only
   * by its owner, never one that expired and was taken by another process since.
   */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
}

/** What {@link Store.increment} returns. */
export interface Counter {
  /** The value after the increment. */
  value: number;
  /** Milliseconds until the counter expires. */
  ttlMs: number;
}
