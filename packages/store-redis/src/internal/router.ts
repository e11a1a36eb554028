import type { RedisClientLike, RedisClusterLike, RedisSentinelLike } from '../options.ts';
import { isErrorReply } from './toStoreError.ts';

/** Where one command goes: a plain client, the node owning the key's slot, or the primary. */
export interface Router {
  send(key: string, args: ReadonlyArray<string>, signal: AbortSignal): Promise<unknown>;
  /**
   * Told of a command that failed without a usable server reply (timed out, aborted, connection
   * down, `CLUSTERDOWN`/`MOVED`/`TRYAGAIN` left over), so the router can look for a new topology.
   */
  failed(error: unknown): void;
}

const TOPOLOGY_REPLY = /^(CLUSTERDOWN|MOVED|ASK|TRYAGAIN|READONLY|MASTERDOWN)/;

/** Whether a failure says nothing about the data, only about where (or whether) the server is. */
export function isTopologyFailure(error: unknown): boolean {
  return !isErrorReply(error) || TOPOLOGY_REPLY.test(error.message);
}

/** A plain node-redis client: every command on its one connection. */
export function plainRouter(client: RedisClientLike): Router {
  return {
    send: (_key, args, signal) => client.sendCommand(args, { abortSignal: signal }),
    failed() {},
  };
}

/** A Sentinel-aware client: every command to the current primary (never a replica). */
export function sentinelRouter(sentinel: RedisSentinelLike): Router {
  return {
    send: (_key, args, signal) => sentinel.sendCommand(false, [...args], { abortSignal: signal }),
    failed() {},
  };
}

/** The parts of node-redis 5's cluster client used to re-read the slot map (not in its types). */
interface ClusterInternals {
  masters?: unknown;
  nodeByAddress?: { values?: () => unknown };
  _slots?: { rediscover?: unknown };
}

type NodeLike = { client?: { isReady?: boolean } } | null | undefined;

/** The nodes in `list` when it is iterable (node-redis's private fields may change shape). */
function nodesOf(list: unknown): NodeLike[] {
  if (list === undefined || list === null) return [];
  if (typeof (list as Iterable<unknown>)[Symbol.iterator] !== 'function') throw new TypeError();
  return [...(list as Iterable<NodeLike>)];
}

/** Least time between two slot-map refreshes asked for by failures, in milliseconds. */
const REDISCOVER_EVERY_MS = 100;

/**
 * A cluster client: each command to the primary of its key's slot (`MOVED`/`ASK` are followed by
 * node-redis). node-redis re-reads the slot map only on a `MOVED`; after a primary dies its
 * client keeps reconnecting to the dead address and never gets one. So a command that failed
 * without a server reply (a timeout, a connection that is down) asks for a slot-map refresh,
 * at most every 100 ms: once a replica is promoted, the next refresh routes the slot to it.
 * The refresh is node-redis 5's own (`cluster._slots.rediscover`, the one its `MOVED` handling
 * calls), a private API: when it is missing or of another shape (another node-redis version),
 * nothing is thrown (the command's own `StoreError` stands) and `onUnavailable` is called once,
 * so the loss of failover recovery shows in telemetry.
 */
export function clusterRouter(cluster: RedisClusterLike, onUnavailable?: () => void): Router {
  const internals = cluster as unknown as ClusterInternals;
  let last = Number.NEGATIVE_INFINITY;
  let told = false;
  const unavailable = (): void => {
    if (told) return;
    told = true;
    onUnavailable?.();
  };
  const refresh = (): void => {
    const now = Date.now();
    if (now - last < REDISCOVER_EVERY_MS) return;
    last = now;
    try {
      const slots = internals._slots;
      const rediscover = slots?.rediscover;
      const byAddress = internals.nodeByAddress;
      if (
        typeof rediscover !== 'function' ||
        (byAddress !== undefined && typeof byAddress?.values !== 'function')
      ) {
        unavailable();
        return;
      }
      // Start from a node that answers; node-redis falls back to the root nodes if it does not.
      const nodes = [...nodesOf(internals.masters), ...nodesOf(byAddress?.values?.())];
      const start =
        nodes.find((n) => n?.client?.isReady)?.client ?? nodes.find((n) => n?.client)?.client;
      if (start === undefined) return;
      // Best effort, in the background: a failure here is the next command's to report.
      const pending: unknown = rediscover.call(slots, start);
      if (typeof (pending as Promise<void> | undefined)?.then === 'function')
        (pending as Promise<void>).then(undefined, () => {});
    } catch {
      unavailable();
    }
  };
  return {
    send: (key, args, signal) =>
      cluster.sendCommand(key, false, [...args], { abortSignal: signal }),
    failed(error) {
      if (isTopologyFailure(error)) refresh();
    },
  };
}
