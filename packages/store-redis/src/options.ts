import type { Clock, Redacted, Telemetry } from '@portcullis/core';

/**
 * The slice of a node-redis v5 client (`createClient()`'s result) that {@link RedisStore} uses.
 * Any connected node-redis client fits, whatever modules, scripts or RESP version it was made with.
 *
 * @example
 * ```ts
 * import type { RedisClientLike } from '@portcullis/store-redis';
 * import { createClient } from 'redis';
 * const client: RedisClientLike = createClient({ RESP: 3 });
 * ```
 */
export interface RedisClientLike {
  /** Sends one raw command; see node-redis `client.sendCommand`. */
  sendCommand(
    args: ReadonlyArray<string>,
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/**
 * Options shared by {@link RedisStore.connect} and `new RedisStore(...)`.
 *
 * @example
 * ```ts
 * import type { RedisStoreCommonOptions } from '@portcullis/store-redis';
 * const common: RedisStoreCommonOptions = { keyPrefix: 'billing:', commandTimeoutMs: 500 };
 * ```
 */
export interface RedisStoreCommonOptions {
  /**
   * Prepended to every key, so several applications (or environments) can share one Redis
   * without seeing each other's entries. May be empty. Default: `'portcullis:'`.
   */
  keyPrefix?: string;
  /**
   * Longest wait for one operation, in milliseconds, after which it rejects with a `StoreError`
   * (`ERR_STORE_UNAVAILABLE`). A command not yet written to the socket is then withdrawn and never
   * sent; one already sent may still take effect on the server: a `setIfAbsent` that lands after
   * its caller saw the timeout is undone (`compareAndDelete` of the value it wrote) as soon as its
   * reply arrives. Whole milliseconds, 1 to 2^31 − 1. Default: 2000.
   */
  commandTimeoutMs?: number;
  /** Where errors and reconnects are counted. Default: `telemetry('@portcullis/store-redis')`. */
  telemetry?: Telemetry;
  /**
   * The clock `commandTimeoutMs` runs on (a `ManualClock` in tests). Default: `systemClock`.
   */
  clock?: Clock;
}

/**
 * Options for {@link RedisStore.connect}: the store opens and owns its connection.
 *
 * @example
 * ```ts
 * import { redacted } from '@portcullis/core';
 * import type { RedisStoreConnectOptions } from '@portcullis/store-redis';
 * const options: RedisStoreConnectOptions = {
 *   url: 'rediss://redis.internal:6380/0',
 *   username: 'portcullis',
 *   password: redacted(process.env.REDIS_PASSWORD ?? ''),
 *   connectTimeoutMs: 3000,
 * };
 * ```
 */
export interface RedisStoreConnectOptions extends RedisStoreCommonOptions {
  /**
   * `redis://[[username][:password]@]host[:port][/db]`, or `rediss://…` for TLS. Pass it as a
   * `Redacted` when it carries a password; it never appears in an error message either way.
   */
  url: string | Redacted<string>;
  /** Password (`AUTH`), when not in the URL. Default: none, or the URL's. */
  password?: string | Redacted<string>;
  /** ACL user name, when not in the URL. Default: none, or the URL's (`default`). */
  username?: string;
  /**
   * Longest wait for the first connection, in milliseconds, retries included; then `connect`
   * rejects with a `StoreError` (`ERR_STORE_UNAVAILABLE`). Also bounds each reconnect attempt.
   * Default: 5000.
   */
  connectTimeoutMs?: number;
  /**
   * Longest pause between reconnect attempts after the connection drops, in milliseconds
   * (attempts back off 50, 100, 200 ms… up to this). Operations made while disconnected fail at
   * once with `ERR_STORE_UNAVAILABLE`; they are never queued. Default: 2000.
   */
  maxReconnectDelayMs?: number;
}

/**
 * Options for `new RedisStore(...)`: a node-redis client the caller created and owns.
 *
 * @example
 * ```ts
 * import type { RedisStoreOptions } from '@portcullis/store-redis';
 * import { createClient } from 'redis';
 * const options: RedisStoreOptions = { client: createClient(), keyPrefix: 'myapp:' };
 * ```
 */
export interface RedisStoreOptions extends RedisStoreCommonOptions {
  /**
   * A connected node-redis v5 client. The caller connects it, handles its `'error'` events and
   * closes it; {@link RedisStore.close} leaves it open. Its offline queue and reconnect strategy
   * are the caller's choice; `commandTimeoutMs` still bounds every operation.
   */
  client: RedisClientLike;
}

/** The type of {@link DEFAULTS}. */
export interface RedisStoreDefaults {
  /** Prepended to every key. */
  readonly keyPrefix: string;
  /** Longest wait for one operation, in milliseconds. */
  readonly commandTimeoutMs: number;
  /** Longest wait for the first connection, in milliseconds (`connect`). */
  readonly connectTimeoutMs: number;
  /** Longest pause between reconnect attempts, in milliseconds (`connect`). */
  readonly maxReconnectDelayMs: number;
}

/**
 * Every default of `RedisStore` and `RedisStore.connect`, in one place (the README's defaults
 * table is tested against it). Frozen.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/store-redis';
 * DEFAULTS.commandTimeoutMs; // 2000
 * ```
 */
export const DEFAULTS: RedisStoreDefaults = Object.freeze({
  keyPrefix: 'portcullis:',
  commandTimeoutMs: 2000,
  connectTimeoutMs: 5000,
  maxReconnectDelayMs: 2000,
});
