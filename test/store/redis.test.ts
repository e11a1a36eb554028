import { randomUUID } from 'node:crypto';
import { isPortcullisError } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { describeStoreConformance } from './conformance.ts';
import { describeRedisStoreConformance, MARGIN_MS, SHORT_TTL_MS } from './redisConformance.ts';

let redis: RedisPeer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describeRedisStoreConformance('RedisStore', (keyPrefix) =>
  RedisStore.connect({ url: redis.url, keyPrefix }),
);

// The same suite over caller-owned clients speaking RESP3 (other reply types than RESP2).
describeStoreConformance('RedisStore over caller-owned RESP3 clients', async () => {
  const keyPrefix = `conformance-resp3:${randomUUID()}:`;
  const clients: Array<ReturnType<typeof createClient>> = [];
  const wrap = async (): Promise<RedisStore> => {
    const client = createClient({ url: redis.url, RESP: 3 });
    clients.push(client);
    await client.connect();
    return new RedisStore({ client, keyPrefix });
  };
  const store = await wrap();
  return {
    store,
    peers: async (n) => Promise.all(Array.from({ length: n }, wrap)),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + MARGIN_MS)),
    shortTtlMs: SHORT_TTL_MS,
    exactTime: false,
    close: async () => {
      for (const client of clients) client.destroy();
    },
  };
});

describe('RedisStore on a shared server', () => {
  let raw: RedisClientType;
  beforeAll(async () => {
    raw = createClient({ url: redis.url });
    await raw.connect();
  });
  afterAll(async () => {
    raw?.destroy();
  });

  it('puts every key under its prefix, by default `portcullis:`', async () => {
    const store = await RedisStore.connect({ url: redis.url });
    expect(store.keyPrefix).toBe('portcullis:');
    await store.set('default-prefix', 'v', 60_000);
    await store.increment('default-counter', 60_000);
    await store.setIfAbsent('default-nonce', 'n', 60_000);
    expect(await raw.get('portcullis:default-prefix')).toBe('v');
    expect(await raw.get('portcullis:default-counter')).toBe('1');
    expect(await raw.get('portcullis:default-nonce')).toBe('n');
    expect(await raw.get('default-prefix')).toBeNull();
    await store.close();
  });

  it('two prefixes on one server do not see each other', async () => {
    const a = await RedisStore.connect({ url: redis.url, keyPrefix: 'tenant-a:' });
    const b = await RedisStore.connect({ url: redis.url, keyPrefix: 'tenant-b:' });
    await a.set('shared-name', 'from-a', 60_000);
    expect(await b.get('shared-name')).toBeUndefined();
    expect(await b.setIfAbsent('shared-name', 'from-b', 60_000)).toBe(true);
    expect((await a.increment('count', 60_000)).value).toBe(1);
    expect((await b.increment('count', 60_000)).value).toBe(1);
    expect(await b.compareAndDelete('shared-name', 'from-a')).toBe(false);
    expect(await b.delete('shared-name')).toBe(true);
    expect(await a.get('shared-name')).toBe('from-a');
    expect(await raw.get('tenant-a:shared-name')).toBe('from-a');
    await Promise.all([a.close(), b.close()]);
  });

  it('an empty prefix uses keys as given; a prefix is not a pattern', async () => {
    const bare = await RedisStore.connect({ url: redis.url, keyPrefix: '' });
    const starred = await RedisStore.connect({ url: redis.url, keyPrefix: 'p*:' });
    await bare.set('bare-key', 'v', 60_000);
    expect(await raw.get('bare-key')).toBe('v');
    await starred.set('k', 'star', 60_000);
    expect(await raw.get('p*:k')).toBe('star');
    expect(await bare.get('p*:k')).toBe('star');
    await Promise.all([bare.close(), starred.close()]);
  });

  it('wraps a caller-owned client, and close() leaves it open', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    const store = new RedisStore({ client, keyPrefix: 'owned:' });
    expect(await store.setIfAbsent('k', 'v', 60_000)).toBe(true);
    expect((await store.increment('c', 60_000, 2)).value).toBe(2);
    await store.close();
    expect(client.isReady).toBe(true);
    expect(await client.get('owned:k')).toBe('v');
    const error = await store.get('k').catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    client.destroy();
  });

  it('a caller-owned client that is not connected gives ERR_STORE_UNAVAILABLE', async () => {
    const client = createClient({ url: redis.url });
    const store = new RedisStore({ client });
    const error = await store.get('k').catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
  });

  it('runs its scripts again after SCRIPT FLUSH (EVALSHA falls back to EVAL on NOSCRIPT)', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'flush:' });
    expect((await store.increment('c', 60_000)).value).toBe(1);
    await raw.sendCommand(['SCRIPT', 'FLUSH']);
    expect((await store.increment('c', 60_000)).value).toBe(2);
    await store.set('lock', 'me', 60_000);
    await raw.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await store.compareAndDelete('lock', 'me')).toBe(true);
    await store.close();
  });

  it('gives a counter found without a TTL one, so it cannot live forever', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'nottl:' });
    await raw.set('nottl:c', '5');
    expect(await raw.pTTL('nottl:c')).toBe(-1);
    const counter = await store.increment('c', 30_000);
    expect(counter.value).toBe(6);
    expect(counter.ttlMs).toBe(30_000);
    const pttl = await raw.pTTL('nottl:c');
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(30_000);
    await store.close();
  });

  it('treats a key of another Redis type as corrupt, and never matches it', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'types:' });
    await raw.lPush('types:list', 'x');
    for (const op of [store.get('list'), store.increment('list', 60_000)]) {
      const error = await op.catch((e: unknown) => e);
      expect(isPortcullisError(error, 'ERR_STORE_CORRUPT')).toBe(true);
    }
    expect(await store.compareAndDelete('list', 'x')).toBe(false);
    expect(await raw.lLen('types:list')).toBe(1);
    await store.close();
  });

  it('refuses to count past the largest safe integer, leaving the counter as it was', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'overflow:' });
    await store.set('c', String(Number.MAX_SAFE_INTEGER), 60_000);
    const error = await store.increment('c', 60_000).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_CORRUPT')).toBe(true);
    expect(await store.get('c')).toBe(String(Number.MAX_SAFE_INTEGER));
    await store.set('n', String(-Number.MAX_SAFE_INTEGER), 60_000);
    const negative = await store.increment('n', 60_000, -1).catch((e: unknown) => e);
    expect(isPortcullisError(negative, 'ERR_STORE_CORRUPT')).toBe(true);
    await store.close();
  });

  it('rounds a fractional TTL up to whole milliseconds', async () => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'frac:' });
    await store.set('k', 'v', 2500.2);
    const pttl = await raw.pTTL('frac:k');
    expect(pttl).toBeGreaterThan(2400);
    expect(pttl).toBeLessThanOrEqual(2501);
    expect((await store.increment('c', 1500.5)).ttlMs).toBe(1501);
    await store.close();
  });

  it('rejects keys and values that are not strings with ERR_INVALID_ARG_TYPE', async () => {
    const store = await RedisStore.connect({ url: redis.url });
    const calls = [
      () => store.get(1 as unknown as string),
      () => store.set('k', 5 as unknown as string, 1000),
      () => store.setIfAbsent(undefined as unknown as string, 'v', 1000),
      () => store.increment(Symbol('k') as unknown as string, 1000),
      () => store.delete(null as unknown as string),
      () => store.compareAndDelete('k', 1 as unknown as string),
    ];
    for (const call of calls) {
      await expect(call()).rejects.toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_TYPE',
      });
    }
    await store.close();
  });
});
