// Two processes rotating the same secret through one real Redis (the @portcullis/store-redis
// lock): in every round exactly one promotes; the other is told a rotation is in progress.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { runWorker } from '../harness/worker.ts';

const WORKER = new URL('./rotatorWorker.ts', import.meta.url);
let redis: RedisPeer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

interface Outcome {
  outcome: string;
  promoted: boolean;
}

it('two rotator processes on one Redis: exactly one promotes, every round', async () => {
  for (let round = 0; round < 2; round++) {
    const input = {
      url: redis.url,
      keyPrefix: `secrets-rotation:${randomUUID()}:`,
      processes: 2,
      holdMs: 500,
    };
    const results = await Promise.all([
      runWorker<Outcome>(WORKER, input),
      runWorker<Outcome>(WORKER, input),
    ]);
    expect(results.map((r) => r.outcome).sort()).toEqual([
      'ERR_SECRET_ROTATION_IN_PROGRESS',
      'rotated',
    ]);
    expect(results.filter((r) => r.promoted)).toHaveLength(1);
  }
});
