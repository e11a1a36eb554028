import {
  type Counter,
  telemetry as coreTelemetry,
  invalidArgument,
  type Redacted,
  type Store,
  StoreError,
  type Telemetry,
} from '@portcullis/core';
import { openClient } from './internal/openClient.ts';
import { COMPARE_AND_DELETE, INCREMENT, type LuaScript } from './internal/scripts.ts';
import { isErrorReply, toStoreError } from './internal/toStoreError.ts';

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
   * sent; one already sent may still take effect on the server. Default: 2000.
   */
  commandTimeoutMs?: number;
  /** Where errors and reconnects are counted. Default: `telemetry('@portcullis/store-redis')`. */
  telemetry?: Telemetry;
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

const TEL_SCOPE = '@portcullis/store-redis';
const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

type Operation = 'get' | 'set' | 'setIfAbsent' | 'increment' | 'delete' | 'compareAndDelete';

interface CommonOptions {
  keyPrefix: string;
  commandTimeoutMs: number;
  telemetry: Telemetry;
}

function commonOptions(options: RedisStoreCommonOptions): CommonOptions {
  const { keyPrefix = 'portcullis:', commandTimeoutMs = 2000 } = options;
  checkString(keyPrefix, 'keyPrefix');
  return {
    keyPrefix,
    commandTimeoutMs: checkPositiveInt(commandTimeoutMs, 'commandTimeoutMs'),
    telemetry: options.telemetry ?? coreTelemetry(TEL_SCOPE),
  };
}

// A lone surrogate has no UTF-8 form: Redis would store U+FFFD instead, and two different keys
// would become one (a false "replay", a shared lock). Refused instead.
const LONE_SURROGATE = /\p{Surrogate}/u;

function checkString(value: unknown, name = 'key'): asserts value is string {
  if (typeof value !== 'string') throw invalidArgument(name, 'a string');
  if (LONE_SURROGATE.test(value)) {
    throw invalidArgument(name, 'a well-formed string (no lone surrogates)', 'value');
  }
}

/** Redis wants whole milliseconds ≥ 1: round up, so an entry never expires before it was asked. */
function ttlArg(ttlMs: number): string {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument('ttlMs', 'a positive number of milliseconds', 'value');
  }
  return String(Math.min(Math.ceil(ttlMs), MAX_TTL_MS));
}

function checkPositiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument(name, 'a positive integer of milliseconds', 'value');
  }
  return value;
}

function asString(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return Buffer.from(reply).toString('utf8');
  throw new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
}

function asInteger(reply: unknown): number {
  const n = typeof reply === 'number' ? reply : Number(asString(reply));
  if (!Number.isSafeInteger(n)) {
    throw new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
  }
  return n;
}

/**
 * The {@link Store} on Redis, for a fleet of processes: token caches and refresh locks, replay
 * nonces and rate-limit counters shared by every replica. Every key is prefixed (`keyPrefix`);
 * every entry has a TTL. `setIfAbsent` is `SET NX PX`; `increment` and `compareAndDelete` are Lua
 * scripts (`EVALSHA`, falling back to `EVAL` on `NOSCRIPT`), so each is atomic across processes.
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
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #telemetry: Telemetry;
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
    const client = (options as Partial<RedisStoreOptions> | undefined)?.client;
    if (typeof client?.sendCommand !== 'function') {
      throw invalidArgument('client', 'a node-redis client');
    }
    this.#client = client;
    const common = commonOptions(options);
    this.#prefix = common.keyPrefix;
    this.#timeoutMs = common.commandTimeoutMs;
    this.#telemetry = common.telemetry;
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
    if (typeof options !== 'object' || options === null) {
      throw invalidArgument('options', 'an object');
    }
    // Validate everything before connecting, so a bad option does not cost a connection.
    const common = commonOptions(options);
    const connectTimeoutMs = checkPositiveInt(options.connectTimeoutMs ?? 5000, 'connectTimeoutMs');
    const maxReconnectDelayMs = checkPositiveInt(
      options.maxReconnectDelayMs ?? 2000,
      'maxReconnectDelayMs',
    );
    const opened = await openClient({
      url: options.url,
      password: options.password,
      username: options.username,
      connectTimeoutMs,
      maxReconnectDelayMs,
      closeTimeoutMs: common.commandTimeoutMs,
      telemetry: common.telemetry,
    });
    const store = new RedisStore({ ...common, client: opened.client });
    store.#closeClient = opened.close;
    return store;
  }

  /** The prefix put before every key. */
  get keyPrefix(): string {
    return this.#prefix;
  }

  async get(key: string): Promise<string | undefined> {
    checkString(key);
    return asString(await this.#send('get', ['GET', this.#prefix + key]));
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkString(key);
    checkString(value, 'value');
    const ttl = ttlArg(ttlMs);
    await this.#send('set', ['SET', this.#prefix + key, value, 'PX', ttl]);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkString(key);
    checkString(value, 'value');
    const ttl = ttlArg(ttlMs);
    const reply = await this.#send('setIfAbsent', [
      'SET',
      this.#prefix + key,
      value,
      'PX',
      ttl,
      'NX',
    ]);
    return reply !== null && reply !== undefined;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<Counter> {
    checkString(key);
    const ttl = ttlArg(ttlMs);
    if (typeof by !== 'number' || !Number.isSafeInteger(by)) {
      throw invalidArgument('by', 'a safe integer', 'value');
    }
    const reply = await this.#eval('increment', INCREMENT, this.#prefix + key, [String(by), ttl]);
    if (!Array.isArray(reply) || reply.length !== 2) {
      throw new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
    }
    return { value: asInteger(reply[0]), ttlMs: asInteger(reply[1]) };
  }

  async delete(key: string): Promise<boolean> {
    checkString(key);
    return asInteger(await this.#send('delete', ['DEL', this.#prefix + key])) > 0;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    checkString(key);
    checkString(expected, 'expected');
    const reply = await this.#eval('compareAndDelete', COMPARE_AND_DELETE, this.#prefix + key, [
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
    this.#closed = true;
    await this.#closeClient?.();
  }

  async #eval(op: Operation, script: LuaScript, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.#send(op, ['EVALSHA', script.sha1, '1', key, ...args], true);
    } catch (error) {
      if (!(error instanceof StoreError && isNoScript(error.cause))) throw error;
      return this.#send(op, ['EVAL', script.source, '1', key, ...args]);
    }
  }

  /** Sends one command, bounded by the command timeout; every failure becomes a `StoreError`. */
  async #send(op: Operation, args: string[], quietNoScript = false): Promise<unknown> {
    if (this.#closed) {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'The Redis store is closed.');
    }
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(
          new StoreError(
            'ERR_STORE_UNAVAILABLE',
            `Redis did not answer within ${this.#timeoutMs} ms.`,
          ),
        );
      }, this.#timeoutMs);
    });
    try {
      return await Promise.race([
        this.#client.sendCommand(args, { abortSignal: controller.signal }),
        timedOut,
      ]);
    } catch (error) {
      const storeError = toStoreError(error);
      if (!(quietNoScript && isNoScript(error))) {
        this.#telemetry.count('portcullis.store_redis.errors', 1, {
          operation: op,
          code: storeError.code,
        });
      }
      throw storeError;
    } finally {
      clearTimeout(timer);
    }
  }
}

function isNoScript(error: unknown): boolean {
  return isErrorReply(error) && error.message.startsWith('NOSCRIPT');
}
