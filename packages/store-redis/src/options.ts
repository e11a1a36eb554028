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
 * The slice of a node-redis v5 cluster client (`createCluster()`'s result) that
 * {@link RedisStore} uses: each command is sent to the primary of its key's slot, and node-redis
 * follows `MOVED`/`ASK` redirections.
 *
 * @example
 * ```ts
 * import type { RedisClusterLike } from '@portcullis/store-redis';
 * import { createCluster } from 'redis';
 * const cluster: RedisClusterLike = createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }] });
 * ```
 */
export interface RedisClusterLike {
  /** Sends one raw command to the node owning `firstKey`; see node-redis `cluster.sendCommand`. */
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/**
 * The slice of a node-redis v5 Sentinel client (`createSentinel()`'s result) that
 * {@link RedisStore} uses: every command goes to the primary the sentinels name, and node-redis
 * follows a failover to the promoted replica.
 *
 * @example
 * ```ts
 * import type { RedisSentinelLike } from '@portcullis/store-redis';
 * import { createSentinel } from 'redis';
 * const sentinel: RedisSentinelLike = createSentinel({
 *   name: 'mymaster',
 *   sentinelRootNodes: [{ host: '127.0.0.1', port: 26379 }],
 * });
 * ```
 */
export interface RedisSentinelLike {
  /** Sends one raw command to the primary (`isReadonly` false); see node-redis `sentinel.sendCommand`. */
  sendCommand(
    isReadonly: boolean | undefined,
    args: string[],
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/**
 * Writes confirmed by replicas before they count (`WAIT numreplicas timeout` after each write).
 *
 * @example
 * ```ts
 * import type { DurableWrites } from '@portcullis/store-redis';
 * const durable: DurableWrites = { replicas: 1, timeoutMs: 500 };
 * ```
 */
export interface DurableWrites {
  /** How many replicas must have the write. A whole number ≥ 1. */
  replicas: number;
  /**
   * Longest wait for them, in milliseconds (the `WAIT` timeout); less than `commandTimeoutMs`.
   * A write not confirmed in time fails with `ERR_STORE_UNAVAILABLE`.
   */
  timeoutMs: number;
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
  /**
   * Wait for replicas after each write that changed something (`set`, a `setIfAbsent` that
   * wrote, `increment`): `WAIT replicas timeoutMs` on the same connection. Redis replicates
   * asynchronously, so without it a write the primary acknowledged can be lost when the primary
   * dies and a replica is promoted: a replay mark lost that way lets the message be accepted
   * again. With it, a write no replica confirmed in time fails (`ERR_STORE_UNAVAILABLE`; a
   * `setIfAbsent` is undone first), so the caller refuses rather than counts on it. Costs one
   * more round trip per write. Default: off.
   */
  durableWrites?: DurableWrites;
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
 * Options shared by {@link RedisStore.connectCluster} and {@link RedisStore.connectSentinel}.
 *
 * @example
 * ```ts
 * import type { RedisStoreFleetConnectOptions } from '@portcullis/store-redis';
 * const common: RedisStoreFleetConnectOptions = { username: 'portcullis', connectTimeoutMs: 3000 };
 * ```
 */
export interface RedisStoreFleetConnectOptions extends RedisStoreCommonOptions {
  /** Password (`AUTH`) of every data node, when not in the URLs. Default: none, or the first URL's. */
  password?: string | Redacted<string>;
  /** ACL user of every data node, when not in the URLs. Default: none, or the first URL's. */
  username?: string;
  /** Longest wait for the first connection, in milliseconds; then `ERR_STORE_UNAVAILABLE`. Default: 5000. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnect attempts to one node, in milliseconds. Default: 2000. */
  maxReconnectDelayMs?: number;
}

/**
 * Options for {@link RedisStore.connectCluster}: the store opens and owns a node-redis cluster
 * client.
 *
 * @example
 * ```ts
 * import type { RedisStoreClusterConnectOptions } from '@portcullis/store-redis';
 * const options: RedisStoreClusterConnectOptions = {
 *   urls: ['redis://10.0.0.1:6379', 'redis://10.0.0.2:6379', 'redis://10.0.0.3:6379'],
 * };
 * ```
 */
export interface RedisStoreClusterConnectOptions extends RedisStoreFleetConnectOptions {
  /**
   * Some nodes of the cluster (`redis://` or `rediss://` URLs), to read the slot map from; the
   * rest are found from it. List more than one, so a dead node does not stop a start.
   */
  urls: ReadonlyArray<string | Redacted<string>>;
}

/**
 * Options for {@link RedisStore.connectSentinel}: the store opens and owns a node-redis Sentinel
 * client, which asks the sentinels for the primary and follows failovers.
 *
 * @example
 * ```ts
 * import type { RedisStoreSentinelConnectOptions } from '@portcullis/store-redis';
 * const options: RedisStoreSentinelConnectOptions = {
 *   masterName: 'mymaster',
 *   sentinels: ['redis://10.0.0.1:26379', 'redis://10.0.0.2:26379', 'redis://10.0.0.3:26379'],
 * };
 * ```
 */
export interface RedisStoreSentinelConnectOptions extends RedisStoreFleetConnectOptions {
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
  masterName: string;
  /** Some of the sentinels (`redis://host:port` URLs; a password in them is the sentinels'). */
  sentinels: ReadonlyArray<string | Redacted<string>>;
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
   * A connected node-redis v5 client (`createClient`). Exactly one of `client`, `cluster` and
   * `sentinel`. The caller connects it, handles its `'error'` events and closes it;
   * {@link RedisStore.close} leaves it open. Its offline queue and reconnect strategy are the
   * caller's choice; `commandTimeoutMs` still bounds every operation.
   */
  client?: RedisClientLike;
  /**
   * A connected node-redis v5 cluster client (`createCluster`), owned by the caller like
   * `client`. Create it with `defaults: { disableOfflineQueue: true }` so commands for a dead
   * primary fail at once. After a command fails without a reply, the store asks the client to
   * re-read the slot map, so it finds a promoted replica.
   */
  cluster?: RedisClusterLike;
  /** A connected node-redis v5 Sentinel client (`createSentinel`), owned by the caller like `client`. */
  sentinel?: RedisSentinelLike;
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
