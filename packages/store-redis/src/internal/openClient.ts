import {
  invalidArgument,
  type Redacted,
  reveal,
  StoreError,
  type Telemetry,
} from '@portcullis/core';
import { createClient } from 'redis';
import { isErrorReply } from './toStoreError.ts';

/** What `RedisStore.connect` passes down, validated. */
export interface OpenClientOptions {
  url: string | Redacted<string>;
  password: string | Redacted<string> | undefined;
  username: string | undefined;
  connectTimeoutMs: number;
  maxReconnectDelayMs: number;
  closeTimeoutMs: number;
  telemetry: Telemetry;
}

/** An open connection owned by the store, and how to close it. */
export interface OpenedClient {
  client: {
    sendCommand(
      args: ReadonlyArray<string>,
      options?: { abortSignal?: AbortSignal },
    ): Promise<unknown>;
  };
  close(): Promise<void>;
}

export function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  const plain = reveal(value as string | Redacted<string>);
  if (typeof plain !== 'string') throw invalidArgument(name, 'a string or Redacted<string>');
  return plain;
}

/** Back-off for reconnects: 50, 100, 200… ms up to the cap, each with up to 50% jitter off. */
export function reconnectDelay(retries: number, maxDelayMs: number): number {
  const base = Math.min(50 * 2 ** Math.min(retries, 16), maxDelayMs);
  return Math.max(1, Math.round(base * (0.5 + Math.random() / 2)));
}

export function bounded<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Creates a node-redis client that fails fast while disconnected (no offline queue), reconnects
 * in the background with capped back-off, and reports its `'error'` events to telemetry instead
 * of crashing the process; then connects it, for at most `connectTimeoutMs`.
 */
export async function openClient(options: OpenClientOptions): Promise<OpenedClient> {
  const url = optionalString(options.url, 'url');
  // Checked here, and the value never echoed: a URL may carry a password.
  if (url === undefined || !URL.canParse(url) || !/^rediss?:$/.test(new URL(url).protocol)) {
    throw invalidArgument('url', 'a redis:// or rediss:// URL', 'value');
  }
  const password = optionalString(options.password, 'password');
  const username = optionalString(options.username, 'username');
  const { connectTimeoutMs, maxReconnectDelayMs, closeTimeoutMs, telemetry } = options;

  let client: ReturnType<typeof createClient>;
  let connected = false;
  try {
    client = createClient({
      url,
      ...(password === undefined ? {} : { password }),
      ...(username === undefined ? {} : { username }),
      disableOfflineQueue: true,
      socket: {
        connectTimeout: connectTimeoutMs,
        // A refusal by the server (wrong password, unknown user) on the first connection will
        // not go away by retrying: give up at once. Once connected, always retry.
        reconnectStrategy: (retries, cause) =>
          !connected && isErrorReply(cause) ? false : reconnectDelay(retries, maxReconnectDelayMs),
      },
    });
  } catch {
    // node-redis rejects some URLs (bad database number) with a message that may quote them.
    throw invalidArgument('url', 'a redis:// or rediss:// URL', 'value');
  }

  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
    telemetry.count('portcullis.store_redis.connection_errors');
  });
  client.on('ready', () => {
    connected = true;
  });
  client.on('reconnecting', () => telemetry.count('portcullis.store_redis.reconnects'));

  try {
    await bounded(client.connect(), connectTimeoutMs, () => {
      const refused = isErrorReply(lastError)
        ? /^[A-Z]{2,32}/.exec(lastError.message)?.[0]
        : undefined;
      return new StoreError(
        'ERR_STORE_UNAVAILABLE',
        refused === undefined
          ? `Could not connect to Redis within ${connectTimeoutMs} ms.`
          : `Redis refused the connection (${refused}).`,
        { cause: lastError },
      );
    });
  } catch (error) {
    if (client.isOpen) client.destroy();
    if (error instanceof StoreError) throw error;
    const refused = isErrorReply(error) ? /^[A-Z]{2,32}/.exec(error.message)?.[0] : undefined;
    throw new StoreError(
      'ERR_STORE_UNAVAILABLE',
      refused === undefined
        ? 'Could not connect to Redis.'
        : `Redis refused the connection (${refused}).`,
      { cause: error },
    );
  }

  return {
    client,
    async close() {
      if (!client.isReady) {
        if (client.isOpen) client.destroy();
        return;
      }
      try {
        await bounded(client.close(), closeTimeoutMs, () => new Error('close timed out'));
      } catch {
        // Operations in flight did not finish in time: drop the socket.
      } finally {
        if (client.isOpen) client.destroy();
      }
    },
  };
}
