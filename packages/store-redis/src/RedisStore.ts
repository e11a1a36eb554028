import {
  boundedCall,
  type Clock,
  type Counter,
  invalidArgument,
  type Store,
  StoreError,
  type Telemetry,
} from '@portcullis/core';
import { openClient } from './internal/openClient.ts';
import { checkString, resolveConnectOptions, resolveStoreOptions } from './internal/options.ts';
import { COMPARE_AND_DELETE, INCREMENT, type LuaScript } from './internal/scripts.ts';
import { isErrorReply, toStoreError } from './internal/toStoreError.ts';
import type { RedisClientLike, RedisStoreConnectOptions, RedisStoreOptions } from './options.ts';

const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

type Operation = 'get' | 'set' | 'setIfAbsent' | 'increment' | 'delete' | 'compareAndDelete';

/** Redis wants whole milliseconds ≥ 1: round up, so an entry never expires before it was asked. */
function ttlArg(ttlMs: number): string {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument('ttlMs', 'a positive number of milliseconds', 'value');
  }
  return String(Math.min(Math.ceil(ttlMs), MAX_TTL_MS));
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
  readonly #clock: Clock;
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
    this.#client = o.client;
    this.#prefix = o.keyPrefix;
    this.#timeoutMs = o.commandTimeoutMs;
    this.#telemetry = o.telemetry;
    this.#clock = o.clock;
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
    const store = new RedisStore({
      keyPrefix: o.keyPrefix,
      commandTimeoutMs: o.commandTimeoutMs,
      telemetry: o.telemetry,
      clock: o.clock,
      client: opened.client,
    });
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
    const reply = await this.#send(
      'setIfAbsent',
      ['SET', this.#prefix + key, value, 'PX', ttl, 'NX'],
      false,
      // The caller was told this write failed (timeout): if it lands after all, undo it, so
      // nothing is held that nobody knows of (a replay mark, a lock no one will release).
      (late) => {
        if (late !== null && late !== undefined) {
          return this.compareAndDelete(key, value).then(() => {});
        }
      },
    );
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

  /**
   * Sends one command, bounded by the command timeout on the store's clock; every failure becomes
   * a `StoreError`. A reply that arrives after the timeout goes to `onLate`, never to the caller.
   */
  async #send(
    op: Operation,
    args: string[],
    quietNoScript = false,
    onLate?: (reply: unknown) => void | Promise<void>,
  ): Promise<unknown> {
    if (this.#closed) {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'The Redis store is closed.');
    }
    try {
      return await boundedCall(
        (signal) => this.#client.sendCommand(args, { abortSignal: signal }),
        {
          timeoutMs: this.#timeoutMs,
          clock: this.#clock,
          onTimeout: () =>
            new StoreError(
              'ERR_STORE_UNAVAILABLE',
              `Redis did not answer within ${this.#timeoutMs} ms.`,
            ),
          onLateResult: onLate,
        },
      );
    } catch (error) {
      const storeError = toStoreError(error);
      if (!(quietNoScript && isNoScript(error))) {
        this.#telemetry.count('portcullis.store_redis.errors', 1, {
          operation: op,
          code: storeError.code,
        });
      }
      throw storeError;
    }
  }
}

function isNoScript(error: unknown): boolean {
  return isErrorReply(error) && error.message.startsWith('NOSCRIPT');
}
