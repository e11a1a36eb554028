import { boundedCall, type Clock, StoreError, type Telemetry } from '@portcullis/core';
import type { DurableWrites } from '../options.ts';
import { asInteger } from './replies.ts';
import { isTopologyFailure, type Router } from './router.ts';
import type { LuaScript } from './scripts.ts';
import { isErrorReply, toStoreError } from './toStoreError.ts';

/** The store operation a command belongs to (a telemetry attribute). */
export type Operation = 'get' | 'set' | 'setIfAbsent' | 'increment' | 'delete' | 'compareAndDelete';

/** What {@link Commands} needs from the store. */
export interface CommandsOptions {
  router: Router;
  timeoutMs: number;
  clock: Clock;
  telemetry: Telemetry;
  durable: DurableWrites | undefined;
  isClosed: () => boolean;
}

/**
 * How `RedisStore` talks to Redis: each command bounded by the command timeout on the store's
 * clock, every failure a `StoreError`, scripts by `EVALSHA` with the `EVAL` fallback, and the
 * `WAIT` of `durableWrites`. A failure without a reply tells the router (a new topology?).
 */
export class Commands {
  readonly #o: CommandsOptions;

  constructor(options: CommandsOptions) {
    this.#o = options;
  }

  async eval(op: Operation, script: LuaScript, key: string, args: string[]): Promise<unknown> {
    try {
      return await this.send(op, key, ['EVALSHA', script.sha1, '1', key, ...args], true);
    } catch (error) {
      if (!(error instanceof StoreError && isNoScript(error.cause))) throw error;
      return this.send(op, key, ['EVAL', script.source, '1', key, ...args]);
    }
  }

  /** With `durableWrites`: `WAIT` on the connection that wrote `key`; too few replicas throws. */
  async confirm(op: Operation, key: string): Promise<void> {
    const durable = this.#o.durable;
    if (durable === undefined) return;
    const { replicas, timeoutMs } = durable;
    const acked = asInteger(
      await this.send(op, key, ['WAIT', String(replicas), String(timeoutMs)]),
    );
    if (acked < replicas) {
      this.#o.telemetry.count('portcullis.store_redis.unconfirmed_writes', 1, { operation: op });
      throw new StoreError(
        'ERR_STORE_UNAVAILABLE',
        `Redis did not confirm the write on ${replicas} replica(s) within ${timeoutMs} ms.`,
      );
    }
  }

  /**
   * Sends one command, bounded by the command timeout on the store's clock; every failure becomes
   * a `StoreError`. A reply that arrives after the timeout goes to `onLate`, never to the caller.
   */
  async send(
    op: Operation,
    key: string,
    args: string[],
    quietNoScript = false,
    onLate?: (reply: unknown) => void | Promise<void>,
  ): Promise<unknown> {
    const { router, timeoutMs, clock, telemetry } = this.#o;
    if (this.#o.isClosed()) {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'The Redis store is closed.');
    }
    try {
      return await boundedCall((signal) => router.send(key, args, signal), {
        timeoutMs,
        clock,
        onTimeout: () =>
          new StoreError('ERR_STORE_UNAVAILABLE', `Redis did not answer within ${timeoutMs} ms.`),
        onLateResult: onLate,
      });
    } catch (error) {
      const storeError = toStoreError(error);
      // A timeout (no reply), a connection failure, CLUSTERDOWN: the topology may have changed.
      if (isTopologyFailure(error)) router.failed(error);
      if (!(quietNoScript && isNoScript(error))) {
        telemetry.count('portcullis.store_redis.errors', 1, {
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
