import { invalidArgument } from '@portcullis/core';
import { clusterRouter, type Router, sentinelRouter } from './internal/router.ts';
import type { RedisClientLike, RedisClusterLike, RedisSentinelLike } from './options.ts';

const SCRIPT_COMMANDS = new Set(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO']);

/** The key a raw command is routed by: a script's first key, else the first argument. */
function firstKey(args: ReadonlyArray<string>): string | undefined {
  const name = (args[0] ?? '').toUpperCase();
  if (SCRIPT_COMMANDS.has(name)) return Number(args[2]) > 0 ? args[3] : undefined;
  return args[1];
}

/**
 * A plain-client view (`sendCommand(args, options)`, the {@link RedisClientLike} shape) of a
 * node-redis cluster or Sentinel client, for code that takes a plain client, such as
 * `@portcullis/ratelimit`'s `RedisRateLimitStore`. On a cluster each command is routed by its
 * first key (a script's `KEYS[1]`), so every key of one command must share a hash tag `{…}` (the
 * rate limiter's keys do); a command that fails without a reply or is aborted makes the cluster
 * client re-read its slot map, as {@link RedisStore} does, so it finds a promoted replica.
 *
 * @example
 * ```ts
 * import { createRateLimiter, RedisRateLimitStore } from '@portcullis/ratelimit';
 * import { toCommandClient } from '@portcullis/store-redis';
 * import { createCluster } from 'redis';
 *
 * const cluster = createCluster({
 *   rootNodes: [{ url: 'redis://127.0.0.1:7000' }],
 *   defaults: { disableOfflineQueue: true },
 * });
 * cluster.on('error', () => {});
 * await cluster.connect();
 * const store = new RedisRateLimitStore({ client: toCommandClient({ cluster }) });
 * const limiter = createRateLimiter({ limit: 100, windowMs: 60_000, store });
 * ```
 */
export function toCommandClient(
  source: { cluster: RedisClusterLike } | { sentinel: RedisSentinelLike },
): RedisClientLike {
  const s = source as { cluster?: RedisClusterLike; sentinel?: RedisSentinelLike } | undefined;
  let router: Router;
  if (typeof s?.cluster?.sendCommand === 'function') router = clusterRouter(s.cluster);
  else if (typeof s?.sentinel?.sendCommand === 'function') router = sentinelRouter(s.sentinel);
  else throw invalidArgument('source', '{ cluster } or { sentinel } with a node-redis client');
  return {
    sendCommand(args, options) {
      const signal = options?.abortSignal ?? new AbortController().signal;
      const onAbort = (): void => router.failed(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      return router.send(firstKey(args) ?? '', args, signal).then(
        (reply) => {
          signal.removeEventListener('abort', onAbort);
          return reply;
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          router.failed(error);
          throw error;
        },
      );
    },
  };
}
