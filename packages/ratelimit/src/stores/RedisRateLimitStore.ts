import { invalidArgument, StoreError } from '@portcullis/core';
import { evaluate, type Outcome, type RuleState } from '../internal/algorithms.ts';
import { DECIDE } from '../internal/lua.ts';
import type { RateLimitStore, StoreRequest } from './RateLimitStore.ts';

/**
 * The slice of a node-redis v5 client (`createClient()`'s result) that {@link RedisRateLimitStore}
 * uses: `sendCommand`. The same shape as `@portcullis/store-redis`'s `RedisClientLike`.
 *
 * @example
 * ```ts
 * import type { RedisCommandClient } from '@portcullis/ratelimit';
 * import { createClient } from 'redis';
 * const client: RedisCommandClient = createClient();
 * ```
 */
export interface RedisCommandClient {
  /** Sends one raw command; see node-redis `client.sendCommand`. */
  sendCommand(
    args: ReadonlyArray<string>,
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /**
   * A connected node-redis v5 client; the caller owns it (connects it, handles its `'error'`
   * events, closes it). Create it with `disableOfflineQueue: true` so commands fail at once while
   * it is disconnected instead of queueing: the limiter then falls back straight away.
   */
  client: RedisCommandClient;
  /**
   * Which clock decides: `'server'` (Redis `TIME`, one clock for every process of the fleet, so
   * replicas whose clocks differ still agree) or `'caller'` (the limiter's `clock`, for tests).
   * Default: `'server'`.
   */
  time?: 'server' | 'caller';
}

const LONE_SURROGATE = /\p{Surrogate}/u;
const REPLY_ERRORS = new Set(['ErrorReply', 'SimpleError', 'BlobError']);

function isNoScript(error: unknown): boolean {
  return (
    error instanceof Error &&
    REPLY_ERRORS.has(error.constructor.name) &&
    error.message.startsWith('NOSCRIPT')
  );
}

function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  // A fixed message: nothing from the client (which may know the URL) or the key reaches it.
  return new StoreError('ERR_STORE_UNAVAILABLE', 'Redis did not decide the request.', {
    cause: error,
  });
}

function corrupt(): StoreError {
  return new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
}

/**
 * Rate-limit state on Redis, shared by every process of a fleet. Each decision is **one round
 * trip**: a Lua script (`EVALSHA`, `EVAL` once after a `NOSCRIPT`) that reads every rule's state,
 * decides, and counts the request atomically, so limits are exact however many processes ask at
 * once. All keys of one caller key share a hash tag (`{key}`), so it also works on Redis Cluster.
 *
 * It sets no timeout of its own: the limiter bounds every call (`storeTimeoutMs`) and applies
 * `onStoreFailure` when Redis is slow or down.
 *
 * @example
 * ```ts
 * import { createRateLimiter, RedisRateLimitStore } from '@portcullis/ratelimit';
 * import { createClient } from 'redis';
 *
 * const client = createClient({ url: 'redis://127.0.0.1:6379', disableOfflineQueue: true });
 * client.on('error', () => {}); // your choice: log, count, alert
 * await client.connect();
 * const limiter = createRateLimiter({ limit: 100, windowMs: 60_000, store: new RedisRateLimitStore({ client }) });
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #client: RedisCommandClient;
  readonly #serverTime: boolean;
  #scriptLoaded = false;

  constructor(options: RedisRateLimitStoreOptions) {
    const client = (options as Partial<RedisRateLimitStoreOptions> | undefined)?.client;
    if (typeof client?.sendCommand !== 'function') {
      throw invalidArgument('options.client', 'a node-redis client');
    }
    const time = options.time ?? 'server';
    if (time !== 'server' && time !== 'caller') {
      throw invalidArgument('options.time', "'server' or 'caller'", 'value');
    }
    this.#client = client;
    this.#serverTime = time === 'server';
  }

  async decide(request: StoreRequest, signal?: AbortSignal): Promise<readonly Outcome[]> {
    const { rules } = request;
    const keys = rules.map((r) => r.key);
    // A lone surrogate has no UTF-8 form: Redis would get U+FFFD, and two keys would share counts.
    if (keys.some((k) => LONE_SURROGATE.test(k))) {
      throw invalidArgument('key', 'a well-formed string (no lone surrogates)', 'value');
    }
    const args = [this.#serverTime ? '' : String(request.now)];
    for (const r of rules) {
      args.push(r.algorithm === 'gcra' ? '1' : '2', String(r.limit), String(r.windowMs));
      args.push(r.enforced ? '1' : '0');
    }
    const tail = [String(keys.length), ...keys, ...args];
    // When the limiter gives up waiting, a command still queued in the client (one with an
    // offline queue, while reconnecting) is withdrawn, so it cannot count the request later on
    // top of the fallback's decision. One already sent may still be counted by the server.
    const options = signal === undefined ? undefined : { abortSignal: signal };
    let reply: unknown;
    try {
      if (this.#scriptLoaded) {
        reply = await this.#client.sendCommand(['EVALSHA', DECIDE.sha1, ...tail], options);
      } else {
        reply = await this.#client.sendCommand(['EVAL', DECIDE.source, ...tail], options);
        this.#scriptLoaded = true;
      }
    } catch (error) {
      if (!isNoScript(error)) throw toStoreError(error);
      // A restarted or flushed server forgot the script: send it once more.
      this.#scriptLoaded = false;
      try {
        reply = await this.#client.sendCommand(['EVAL', DECIDE.source, ...tail], options);
        this.#scriptLoaded = true;
      } catch (again) {
        throw toStoreError(again);
      }
    }
    if (!Array.isArray(reply) || reply.length !== 1 + 3 * rules.length) throw corrupt();
    const numbers = reply.map(Number);
    if (!numbers.every(Number.isSafeInteger)) throw corrupt();
    const now = numbers[0] as number;
    return rules.map((rule, i) => {
      const a = numbers[1 + i * 3] as number;
      const state: RuleState | undefined =
        a === -1 ? undefined : [a, numbers[2 + i * 3] as number, numbers[3 + i * 3] as number];
      return evaluate(rule, state, now).outcome;
    });
  }
}
