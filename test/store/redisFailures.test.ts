import { inspect } from 'node:util';
import { isPortcullisError, redacted, type Telemetry } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../harness/ports.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';

const PASSWORD = 'pw-Zq8-never-print-me';

/** Everything an operator or caller could see of an error, to search for the password. */
function everything(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const e = current as Error & { toJSON?: () => unknown };
    parts.push(String(e), e.message ?? '', e.stack ?? '', inspect(e, { depth: 5 }));
    if (typeof e.toJSON === 'function') parts.push(JSON.stringify(e));
    current = e.cause;
  }
  return parts.join('\n');
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the operation to reject');
}

function expectUnavailable(error: unknown): void {
  expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
  expect((error as Error).name).toBe('StoreError');
  expect((error as { status?: number }).status).toBe(503);
}

const allOperations = (store: RedisStore): Promise<unknown>[] => [
  store.get('k'),
  store.set('k', 'v', 1000),
  store.setIfAbsent('k', 'v', 1000),
  store.increment('k', 1000),
  store.delete('k'),
  store.compareAndDelete('k', 'v'),
];

describe('RedisStore when Redis fails', () => {
  let redis: RedisPeer;
  beforeAll(async () => {
    redis = await startRedis({ password: PASSWORD });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('connects with the password in the URL, passed as Redacted', async () => {
    const store = await RedisStore.connect({ url: redacted(redis.url), keyPrefix: 'pw:' });
    await store.set('k', 'v', 10_000);
    expect(await store.get('k')).toBe('v');
    await store.close();
  });

  it('connects with a separate password option', async () => {
    const store = await RedisStore.connect({
      url: `redis://127.0.0.1:${redis.port}`,
      password: redacted(PASSWORD),
    });
    expect(await store.setIfAbsent('sep', 'v', 10_000)).toBe(true);
    await store.close();
  });

  it('refuses a wrong password with ERR_STORE_UNAVAILABLE, never echoing it', async () => {
    const wrong = 'wrong-pw-Kx3-secret';
    const started = Date.now();
    const error = await failure(
      RedisStore.connect({
        url: `redis://:${wrong}@127.0.0.1:${redis.port}`,
        connectTimeoutMs: 5000,
      }),
    );
    expectUnavailable(error);
    // At once, not after the connect timeout: retrying cannot fix a refused password.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(error.message).toBe('Redis refused the connection (WRONGPASS).');
    expect(everything(error)).not.toContain(wrong);
  });

  it('fails to connect to a port nobody listens on within connectTimeoutMs', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await failure(
      RedisStore.connect({ url: `redis://:${PASSWORD}@127.0.0.1:${port}`, connectTimeoutMs: 300 }),
    );
    expectUnavailable(error);
    expect(error.message).toBe('Could not connect to Redis within 300 ms.');
    expect(everything(error)).not.toContain(PASSWORD);
    // Bounded: no hang (generous, only to catch one; the exact bound is the message's).
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('connecting to a hung server (SIGSTOP) gives up after connectTimeoutMs', async () => {
    redis.pause();
    try {
      const error = await failure(RedisStore.connect({ url: redis.url, connectTimeoutMs: 300 }));
      expectUnavailable(error);
      expect(error.message).toBe('Could not connect to Redis within 300 ms.');
      expect(everything(error)).not.toContain(PASSWORD);
    } finally {
      redis.resume();
    }
  });

  it('a hung server (SIGSTOP): every operation rejects after commandTimeoutMs, then it recovers', async () => {
    const store = await RedisStore.connect({ url: redis.url, commandTimeoutMs: 150 });
    await store.set('before', 'v', 60_000);
    redis.pause();
    try {
      const errors = await Promise.all(allOperations(store).map(failure));
      for (const error of errors) {
        expectUnavailable(error);
        expect(error.message).toBe('Redis did not answer within 150 ms.');
        expect(everything(error)).not.toContain(PASSWORD);
      }
    } finally {
      redis.resume();
    }
    expect(await store.get('before')).toBe('v');
    await store.close();
  });

  it('a stopped server: fails fast, nothing queued, no password shown; a restarted one is used again', async () => {
    const store = await RedisStore.connect({
      url: redis.url,
      commandTimeoutMs: 1000,
      maxReconnectDelayMs: 100,
    });
    await store.set('lost', 'v', 60_000);
    await redis.stop();
    try {
      const errors = await Promise.all(allOperations(store).map(failure));
      for (const error of errors) {
        expectUnavailable(error);
        expect(everything(error)).not.toContain(PASSWORD);
        expect(everything(error)).not.toContain(redis.url);
      }
      // While disconnected, operations fail at once instead of waiting in an offline queue.
      const again = await failure(store.setIfAbsent('queued?', 'v', 60_000));
      expectUnavailable(again);
      expect(again.message).toBe('Redis cannot be reached.');
    } finally {
      await redis.start();
    }
    // The store reconnects by itself (bounded wait for its back-off to come round).
    await waitFor(
      'the store to reconnect',
      async () => (await store.setIfAbsent('back', 'v', 60_000)) === true,
    );
    // The server kept nothing (no persistence), and the refused write was never replayed.
    expect(await store.get('lost')).toBeUndefined();
    expect(await store.get('queued?')).toBeUndefined();
    await store.close();
  });
});

describe('RedisStore lifecycle', () => {
  let redis: RedisPeer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('close() is idempotent and later operations reject with ERR_STORE_UNAVAILABLE', async () => {
    const store = await RedisStore.connect({ url: redis.url });
    await store.close();
    await store.close();
    for (const error of await Promise.all(allOperations(store).map(failure))) {
      expectUnavailable(error);
      expect(error.message).toBe('The Redis store is closed.');
    }
  });

  it('close() lets an operation in flight finish', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'inflight:' });
    const pending = store.set('k', 'v', 60_000);
    await store.close();
    await pending;
    const reader = await RedisStore.connect({ url: redis.url, keyPrefix: 'inflight:' });
    expect(await reader.get('k')).toBe('v');
    await reader.close();
  });

  it('close() while the server is down returns at once and stops reconnecting', async () => {
    const peer = await startRedis();
    let reconnects = 0;
    const telemetry: Telemetry = {
      count: (name) => {
        if (name === 'portcullis.store_redis.reconnects') reconnects++;
      },
      record: () => {},
      span: (_name, fn) => fn(),
    };
    const store = await RedisStore.connect({ url: peer.url, maxReconnectDelayMs: 20, telemetry });
    await peer.stop();
    await waitFor('a reconnect attempt', async () => reconnects > 0);
    await store.close();
    // An attempt already under way may still report itself; after that, silence.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const after = reconnects;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(reconnects).toBe(after);
    expect((await failure(store.get('k'))).message).toBe('The Redis store is closed.');
  });

  it('counts failed operations in telemetry, by operation and code', async () => {
    const counted: Array<[string, unknown]> = [];
    const telemetry: Telemetry = {
      count: (name, _value, attributes) => counted.push([name, attributes]),
      record: () => {},
      span: (_name, fn) => fn(),
    };
    const store = await RedisStore.connect({ url: redis.url, telemetry, keyPrefix: 'tel:' });
    await store.set('text', 'abc', 60_000);
    await failure(store.increment('text', 60_000));
    expect(counted).toContainEqual([
      'portcullis.store_redis.errors',
      { operation: 'increment', code: 'ERR_STORE_CORRUPT' },
    ]);
    await store.close();
  });
});
