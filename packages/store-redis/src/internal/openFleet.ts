import { invalidArgument, type Redacted, StoreError, type Telemetry } from '@portcullis/core';
import { createCluster, createSentinel } from 'redis';
import type { RedisClusterLike, RedisSentinelLike } from '../options.ts';
import { bounded, optionalString, reconnectDelay } from './openClient.ts';
import { isErrorReply } from './toStoreError.ts';

/** What `connectCluster` / `connectSentinel` pass down, validated. */
export interface OpenFleetOptions {
  password: string | Redacted<string> | undefined;
  username: string | Redacted<string> | undefined;
  connectTimeoutMs: number;
  maxReconnectDelayMs: number;
  closeTimeoutMs: number;
  telemetry: Telemetry;
}

/** An open cluster or Sentinel client owned by the store, and how to close it. */
export interface OpenedFleet<C> {
  client: C;
  close(): Promise<void>;
}

interface ParsedUrl {
  url: string;
  host: string;
  port: number;
  tls: boolean;
  username: string | undefined;
  password: string | undefined;
}

/** Checks each URL without ever echoing one (a URL may carry a password). */
function parseUrls(list: ReadonlyArray<unknown>, name: string, defaultPort: number): ParsedUrl[] {
  return list.map((item, i) => {
    const url = optionalString(item, `options.${name}[${i}]`);
    if (url === undefined || !URL.canParse(url) || !/^rediss?:$/.test(new URL(url).protocol)) {
      throw invalidArgument(`options.${name}[${i}]`, 'a redis:// or rediss:// URL', 'value');
    }
    const u = new URL(url);
    return {
      url,
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port === '' ? defaultPort : Number(u.port),
      tls: u.protocol === 'rediss:',
      username: u.username === '' ? undefined : decodeURIComponent(u.username),
      password: u.password === '' ? undefined : decodeURIComponent(u.password),
    };
  });
}

/** Node options shared by every connection: fail fast while down, reconnect with capped back-off. */
function nodeOptions(o: OpenFleetOptions, first: ParsedUrl, tls: boolean) {
  const password = optionalString(o.password, 'options.password') ?? first.password;
  const username = optionalString(o.username, 'options.username') ?? first.username;
  return {
    ...(password === undefined ? {} : { password }),
    ...(username === undefined ? {} : { username }),
    disableOfflineQueue: true,
    socket: {
      connectTimeout: o.connectTimeoutMs,
      reconnectStrategy: (retries: number) => reconnectDelay(retries, o.maxReconnectDelayMs),
      ...(tls ? { tls: true as const } : {}),
    },
  };
}

interface Connectable {
  connect(): Promise<unknown>;
  close(): Promise<void>;
  destroy(): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

async function open<C extends Connectable>(
  client: C,
  o: OpenFleetOptions,
  errorEvents: readonly string[],
): Promise<OpenedFleet<C>> {
  let lastError: unknown;
  for (const event of errorEvents) {
    client.on(event, (error: unknown) => {
      lastError = error;
      o.telemetry.count('portcullis.store_redis.connection_errors');
    });
  }
  client.on('node-reconnecting', () => o.telemetry.count('portcullis.store_redis.reconnects'));
  const refused = (error: unknown): string | undefined =>
    isErrorReply(error) ? /^[A-Z]{2,32}/.exec(error.message)?.[0] : undefined;
  try {
    await bounded(client.connect(), o.connectTimeoutMs, () => {
      const code = refused(lastError);
      return new StoreError(
        'ERR_STORE_UNAVAILABLE',
        code === undefined
          ? `Could not connect to Redis within ${o.connectTimeoutMs} ms.`
          : `Redis refused the connection (${code}).`,
        { cause: lastError },
      );
    });
  } catch (error) {
    client.destroy();
    if (error instanceof StoreError) throw error;
    const code = refused(error);
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      code === undefined
        ? 'Could not connect to Redis.'
        : `Redis refused the connection (${code}).`,
      { cause: error },
    );
  }
  return {
    client,
    async close() {
      try {
        await bounded(client.close(), o.closeTimeoutMs, () => new Error('close timed out'));
      } catch {
        // Operations in flight did not finish in time, or a node is down: drop the sockets.
      } finally {
        client.destroy();
      }
    },
  };
}

/** Creates and connects a node-redis cluster client from some of its nodes' URLs. */
export async function openCluster(
  urls: ReadonlyArray<unknown>,
  o: OpenFleetOptions,
): Promise<OpenedFleet<RedisClusterLike>> {
  const parsed = parseUrls(urls, 'urls', 6379);
  const first = parsed[0] as ParsedUrl;
  const defaults = nodeOptions(
    o,
    first,
    parsed.some((p) => p.tls),
  );
  let cluster: ReturnType<typeof createCluster>;
  try {
    cluster = createCluster({
      rootNodes: parsed.map((p) => ({
        socket: { host: p.host, port: p.port, ...(p.tls ? { tls: true as const } : {}) },
      })),
      defaults,
    });
  } catch {
    throw invalidArgument('options.urls', 'redis:// or rediss:// URLs', 'value');
  }
  return open(cluster as unknown as Connectable, o, ['error', 'node-error']) as Promise<
    OpenedFleet<RedisClusterLike & Connectable>
  >;
}

/** Creates and connects a node-redis Sentinel client that follows the primary named `name`. */
export async function openSentinel(
  name: string,
  sentinels: ReadonlyArray<unknown>,
  o: OpenFleetOptions,
): Promise<OpenedFleet<RedisSentinelLike>> {
  const parsed = parseUrls(sentinels, 'sentinels', 26379);
  const first = parsed[0] as ParsedUrl;
  const node = nodeOptions(o, { ...first, username: undefined, password: undefined }, first.tls);
  const sentinelAuth = {
    ...(first.password === undefined ? {} : { password: first.password }),
    ...(first.username === undefined ? {} : { username: first.username }),
  };
  let client: ReturnType<typeof createSentinel>;
  try {
    client = createSentinel({
      name,
      sentinelRootNodes: parsed.map((p) => ({ host: p.host, port: p.port })),
      nodeClientOptions: node,
      sentinelClientOptions: { ...sentinelAuth, socket: { ...node.socket } },
      passthroughClientErrorEvents: true,
      // The sentinels announce a failover on pub/sub; this rescan is the fallback.
      scanInterval: 1000,
    });
  } catch {
    throw invalidArgument('options.sentinels', 'redis:// or rediss:// URLs', 'value');
  }
  return open(client as unknown as Connectable, o, ['error']) as Promise<
    OpenedFleet<RedisSentinelLike & Connectable>
  >;
}
