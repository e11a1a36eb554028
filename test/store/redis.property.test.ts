import { randomUUID } from 'node:crypto';
import { RedisStore } from '@portcullis/store-redis';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { ops, run, StoreModel } from './model.ts';

let redis: RedisPeer;
let store: RedisStore | undefined;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await store?.close();
  await redis?.stop();
});

it('RedisStore agrees with the model on any sequence of operations (long TTLs, no expiry)', async () => {
  const ttl = 600_000;
  await fc.assert(
    fc.asyncProperty(ops(fc.constant(ttl), false), async (sequence) => {
      // A fresh prefix per run: an empty store without FLUSHDB.
      await store?.close();
      store = await RedisStore.connect({ url: redis.url, keyPrefix: `model:${randomUUID()}:` });
      const model = new StoreModel();
      for (const op of sequence) {
        const expected = model.apply(op);
        const actual = await run(store, op);
        if (op.op === 'increment' && typeof expected === 'object' && expected !== null) {
          // Real time passes on the server: the TTL left is at most what the model says.
          const counter = actual as { value: number; ttlMs: number };
          expect(counter.value).toBe((expected as { value: number }).value);
          expect(counter.ttlMs).toBeGreaterThan(ttl - 60_000);
          expect(counter.ttlMs).toBeLessThanOrEqual(ttl);
        } else {
          expect(actual).toEqual(expected);
        }
      }
    }),
    { numRuns: 60 },
  );
});
