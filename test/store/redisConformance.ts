// The store conformance suite for a RedisStore however it reaches Redis (one server, a Cluster,
// Sentinel): a fresh key prefix per test, every store it opened closed after it.
import { randomUUID } from 'node:crypto';
import type { RedisStore } from '@portcullis/store-redis';
import { describeStoreConformance } from './conformance.ts';

// Redis keeps real time: a TTL of a few tens of ms, waited out with a margin, because Redis
// expires a key only once its deadline is strictly past.
export const SHORT_TTL_MS = 60;
export const MARGIN_MS = 15;

/** Runs the conformance suite on stores made by `open(keyPrefix)` (each a separate connection). */
export function describeRedisStoreConformance(
  name: string,
  open: (keyPrefix: string) => Promise<RedisStore>,
): void {
  describeStoreConformance(name, async () => {
    // A fresh prefix per test: tests never see each other's keys, with no FLUSHDB between them.
    const keyPrefix = `conformance:${randomUUID()}:`;
    const opened: RedisStore[] = [];
    const connect = async (): Promise<RedisStore> => {
      const store = await open(keyPrefix);
      opened.push(store);
      return store;
    };
    const store = await connect();
    return {
      store,
      peers: async (n) => Promise.all(Array.from({ length: n }, connect)),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + MARGIN_MS)),
      shortTtlMs: SHORT_TTL_MS,
      exactTime: false,
      close: async () => {
        await Promise.all(opened.map((s) => s.close()));
      },
    };
  });
}
