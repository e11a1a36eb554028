import { type Counter, invalidArgument, type Store, StoreError } from '@portcullis/core';
import { Commands } from './internal/Commands.ts';
import { openClient } from './internal/openClient.ts';
import { openCluster, openSentinel } from './internal/openFleet.ts';
import {
  checkString,
  fleetOptions,
  resolveClusterOptions,
  resolveConnectOptions,
  resolveSentinelOptions,
  resolveStoreOptions,
  storeOptions,
} from './internal/options.ts';
import { asInteger, asString, ttlArg } from './internal/replies.ts';
import {
  clusterRouter,
  isTopologyFailure,
  plainRouter,
  sentinelRouter,
} from './internal/router.ts';
import { COMPARE_AND_DELETE, INCREMENT } from './internal/scripts.ts';
import { UndoQueue } from './internal/UndoQueue.ts';
import type {
  RedisStoreClusterConnectOptions,
  RedisStoreConnectOptions,
  RedisStoreOptions,
  RedisStoreSentinelConnectOptions,
} from './options.ts';

/**
 * The {@link Store} on Redis, for a fleet of processes: token caches and refresh locks, replay
 * nonces and rate-limit counters shared by every replica. Every key is prefixed (`keyPrefix`);
 * every entry has a TTL. `setIfAbsent` is `SET NX PX`; `increment` and `compareAndDelete` are Lua
 * scripts (`EVALSHA`, falling back to `EVAL` on `NOSCRIPT`), so each is atomic across processes.
 * Every operation touches one key, so it runs on one Redis, on Redis Cluster
 * ({@link RedisStore.connectCluster}, or `new RedisStore({ cluster })`) and through Sentinel
 * ({@link RedisStore.connectSentinel}, or `new RedisStore({ sentinel })`).
 *
 * Failures are typed: a server that cannot be reached, a dropped connection, or an operation
 * slower than `commandTimeoutMs` rejects with a `StoreError` (`ERR_STORE_UNAVAILABLE`); a counter
 * that is not an integer with `ERR_STORE_CORRUPT`. Messages never include the URL or password.
 *
 * @example
 * ```ts
 * import { RedisStore } from '@portcullis/store-redis';
 *
 * const store = await RedisStore.connect({ url: 'redis://127.0.0.1:6379', keyPrefix: 'myapp:' });
 * if (await store.setIfAbsent('nonce:msg_1', '1', 300_000)) {
 *   // first time this message id is seen, by any replica
 * }
 * await store.close();
 * ```
 */
export class RedisStore implements Store {
  readonly #cmd: Commands;
  readonly #prefix: string;
  readonly #undos: UndoQueue;
  #closeClient: (() => Promise<void>) | undefined;
  #closed = false;

  /**
   * Wraps a node-redis client the caller created, connected and keeps ownership of.
   *
   * @example
   * ```ts
   * import { createClient } from 'redis';
   * import { RedisStore } from '@portcullis/store-redis';
   *
   * const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
   * client.on('error', () => {}); // the caller's choice: log, count, alert
   * await client.connect();
   * const store = new RedisStore({ client, keyPrefix: 'myapp:' });
   * ```
   */
  constructor(options: RedisStoreOptions) {
    const o = resolveStoreOptions(options);
    this.#cmd = new Commands({
      router:
        o.client !== undefined
          ? plainRouter(o.client)
          : o.cluster !== undefined
            ? clusterRouter(o.cluster, () =>
                o.telemetry.count('portcullis.store_redis.slot_refresh_unavailable'),
              )
            : sentinelRouter(o.sentinel as NonNullable<typeof o.sentinel>),
      timeoutMs: o.commandTimeoutMs,
      clock: o.clock,
      telemetry: o.telemetry,
      durable: o.durableWrites,
      isClosed: () => this.#closed,
    });
    this.#prefix = o.keyPrefix;
    this.#undos = new UndoQueue(
      o.clock,
      (key, value) => this.#compareAndDelete(key, value),
      () => o.telemetry.count('portcullis.store_redis.undo_dropped'),
    );
  }

  /**
   * Opens a connection to Redis and returns a store that owns it ({@link close} closes it).
   * Waits at most `connectTimeoutMs`, then rejects with a `StoreError` (`ERR_STORE_UNAVAILABLE`).
   * Once connected it reconnects by itself after a drop; operations made meanwhile fail fast.
   *
   * @example
   * ```ts
   * import { redacted } from '@portcullis/core';
   * import { RedisStore } from '@portcullis/store-redis';
   *
   * const store = await RedisStore.connect({
   *   url: redacted(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'),
   *   connectTimeoutMs: 3000,
   * });
   * ```
   */
  static async connect(options: RedisStoreConnectOptions): Promise<RedisStore> {
    // Validate everything before connecting, so a bad option does not cost a connection.
    const o = resolveConnectOptions(options);
    const opened = await openClient({
      url: o.url as RedisStoreConnectOptions['url'],
      password: o.password,
      username: o.username as string | undefined,
      connectTimeoutMs: o.connectTimeoutMs,
      maxReconnectDelayMs: o.maxReconnectDelayMs,
      closeTimeoutMs: o.commandTimeoutMs,
      telemetry: o.telemetry,
    });
    const store = new RedisStore({ ...storeOptions(o), client: opened.client });
    store.#closeClient = opened.close;
    return store;
  }

  /**
   * Opens a node-redis cluster client from some nodes' URLs and returns a store that owns it.
   * Each operation goes to the primary of its key's slot; `MOVED`/`ASK` are followed; after a
   * primary dies, operations on its slots fail (`ERR_STORE_UNAVAILABLE`, within
   * `commandTimeoutMs`) until a replica is promoted, then succeed again without a restart.
   *
   * @example
   * ```ts
   * import { RedisStore } from '@portcullis/store-redis';
   *
   * const store = await RedisStore.connectCluster({
   *   urls: ['redis://127.0.0.1:7000', 'redis://127.0.0.1:7001', 'redis://127.0.0.1:7002'],
   *   commandTimeoutMs: 1000,
   * });
   * await store.close();
   * ```
   */
  static async connectCluster(options: RedisStoreClusterConnectOptions): Promise<RedisStore> {
    const o = resolveClusterOptions(options);
    const opened = await openCluster(o.urls, fleetOptions(o));
    const store = new RedisStore({ ...storeOptions(o), cluster: opened.client });
    store.#closeClient = opened.close;
    return store;
  }

  /**
   * Opens a node-redis Sentinel client (it asks the sentinels for the primary named
   * `masterName` and follows failovers) and returns a store that owns it. Every operation goes
   * to the primary; while a failover runs they fail (`ERR_STORE_UNAVAILABLE`, within
   * `commandTimeoutMs`), then succeed again on the promoted replica.
   *
   * @example
   * ```ts
   * import { RedisStore } from '@portcullis/store-redis';
   *
   * const store = await RedisStore.connectSentinel({
   *   masterName: 'mymaster',
   *   sentinels: ['redis://127.0.0.1:26379', 'redis://127.0.0.1:26380', 'redis://127.0.0.1:26381'],
   *   durableWrites: { replicas: 1, timeoutMs: 500 },
   * });
   * await store.close();
   * ```
   */
  static async connectSentinel(options: RedisStoreSentinelConnectOptions): Promise<RedisStore> {
    const o = resolveSentinelOptions(options);
    const opened = await openSentinel(o.masterName, o.sentinels, fleetOptions(o));
    const store = new RedisStore({ ...storeOptions(o), sentinel: opened.client });
    store.#closeClient = opened.close;
    return store;
  }

  /** The prefix put before every key. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  async get(key: string): Promise<string | undefined> {
    checkString(key);
    const k = this.#prefix + key;
    return asString(await this.#cmd.send('get', k, ['GET', k]));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkString(key);
    checkString(value, 'value');
    const ttl = ttlArg(ttlMs);
    const k = this.#prefix + key;
    await this.#cmd.send('set', k, ['SET', k, value, 'PX', ttl]);
    await this.#cmd.confirm('set', k);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkString(key);
    checkString(value, 'value');
    const ttl = ttlArg(ttlMs);
    const k = this.#prefix + key;
    let reply: unknown;
    try {
      reply = await this.#cmd.send(
        'setIfAbsent',
        k,
        ['SET', k, value, 'PX', ttl, 'NX'],
        false,
        // The caller was told this write failed (timeout): if it lands after all, undo it, so
        // nothing is held that nobody knows of (a replay mark, a lock no one will release).
        (late: unknown) => {
          if (late !== null && late !== undefined) {
            return this.#compareAndDelete(key, value).then(() => {});
          }
        },
      );
    } catch (error) {
      // No reply (timed out, connection lost, primary dead): the write may have landed, and a
      // promoted replica may keep it. Take it back once the store answers again.
      if (!this.#closed && isTopologyFailure((error as StoreError).cause ?? error)) {
        this.#undos.add(key, value, Number(ttl));
      }
      throw error;
    }
    const written = reply !== null && reply !== undefined;
    if (written) {
      try {
        await this.#cmd.confirm('setIfAbsent', k);
      } catch (error) {
        // Not on enough replicas: take it back (a failover could lose it), then say so.
        await this.#compareAndDelete(key, value).catch(() =>
          this.#undos.add(key, value, Number(ttl)),
        );
        throw error;
      }
    }
    return written;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<Counter> {
    checkString(key);
    const ttl = ttlArg(ttlMs);
    if (typeof by !== 'number' || !Number.isSafeInteger(by)) {
      throw invalidArgument('by', 'a safe integer', 'value');
    }
    const k = this.#prefix + key;
    const reply = await this.#cmd.eval('increment', INCREMENT, k, [String(by), ttl]);
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
    }
    await this.#cmd.confirm('increment', k);
    return { value: asInteger(reply[0]), ttlMs: asInteger(reply[1]) };
  }

  async delete(key: string): Promise<boolean> {
    checkString(key);
    const k = this.#prefix + key;
    return asInteger(await this.#cmd.send('delete', k, ['DEL', k])) > 0;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    checkString(key);
    checkString(expected, 'expected');
    return this.#compareAndDelete(key, expected);
  }

  async #compareAndDelete(key: string, expected: string): Promise<boolean> {
    const reply = await this.#cmd.eval('compareAndDelete', COMPARE_AND_DELETE, this.#prefix + key, [
      expected,
    ]);
    return asInteger(reply) > 0;
  }

  /**
   * Stops the store: later operations reject with `ERR_STORE_UNAVAILABLE`. Closes the connection
   * when the store opened it ({@link RedisStore.connect}), letting operations in flight finish
   * (for at most `commandTimeoutMs`); a caller-owned client is left open. Safe to call twice.
   *
   * @example
   * ```ts
   * import { RedisStore } from '@portcullis/store-redis';
   * const store = await RedisStore.connect({ url: 'redis://127.0.0.1:6379' });
   * await store.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    // Writes of unknown outcome get one last chance to be taken back, bounded like any call.
    await this.#undos.flush();
    this.#closed = true;
    await this.#closeClient?.();
  }
}
