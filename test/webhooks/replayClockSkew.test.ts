// Two replicas share one Redis replay store, and their clocks differ by 10 s. A message one
// accepts near the end of its window is still inside the other's: the mark must last the whole
// window any replica can accept the message in (past + future tolerance + clock skew), not the
// accepting replica's remaining window.
import { ManualClock } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { createSigner, createVerifier, generateSecret } from '@portcullis/webhooks';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';

const T = 1_767_225_600; // the message's signed timestamp (Unix seconds)
let redis: RedisPeer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

it('a replica whose clock runs 10 s behind refuses a message another replica accepted', async () => {
  const secret = generateSecret();
  const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'skew:' });
  const admin = createClient({ url: redis.url });
  await admin.connect();
  try {
    const ahead = new ManualClock(T * 1000 + 299_900); // the message is 299.9 s old here
    const behind = new ManualClock(T * 1000 + 289_900); // and 289.9 s old here
    const a = createVerifier({ secrets: secret, store, clock: ahead });
    const b = createVerifier({ secrets: secret, store, clock: behind });
    const body = JSON.stringify({ type: 'payout.paid' });
    const headers = await createSigner({ secrets: secret }).sign({ body, timestamp: T });

    await expect(a.verify({ headers, body })).resolves.toBeDefined();

    // Redis expires keys on its own (real) clock, which a ManualClock cannot move: wait past
    // the accepting replica's own remaining window (0.1 s + 1 s), while the message is still
    // within the other replica's (10.1 s).
    await new Promise((resolve) => setTimeout(resolve, 1300));
    ahead.advance(1300);
    behind.advance(1300);
    await expect(b.verify({ headers, body })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_REPLAYED',
    });
    const key = `skew:webhooks:replay:standard:${headers['webhook-id']}`;
    expect(await admin.pTTL(key)).toBeGreaterThan((300 + 30 + 30) * 1000 - 3000);
  } finally {
    await admin.close();
    await store.close();
  }
});
