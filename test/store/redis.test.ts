import { randomUUID } from 'node:crypto';
import { RedisStore } from '@portcullis/store-redis';
import { afterAll, beforeAll } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { describeStoreConformance } from './conformance.ts';

let redis: RedisPeer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

// Redis keeps real time: a TTL of a few tens of ms, waited out with a margin, because Redis
// expires a key only once its deadline is strictly past.
const SHORT_TTL_MS = 60;
const MARGIN_MS = 15;

describeStoreConformance('RedisStore', async () => {
  // A fresh prefix per test: tests never see each other's keys, with no FLUSHDB between them.
  const keyPrefix = `conformance:${randomUUID()}:`;
  const opened: RedisStore[] = [];
  const connect = async (): Promise<RedisStore> => {
    const store = await RedisStore.connect({ url: redis.url, keyPrefix });
    opened.push(store);
    return store;
  };
  const store = await connect();
  return {
    store,
    // Separate RedisStore instances are separate connections.
    peers: async (n) => Promise.all(Array.from({ length: n }, connect)),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + MARGIN_MS)),
    shortTtlMs: SHORT_TTL_MS,
    exactTime: false,
    close: async () => {
      await Promise.all(opened.map((s) => s.close()));
    },
  };
});
