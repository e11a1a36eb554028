// A replay mark must not outlive a verify that failed. With Redis stalled (CLIENT PAUSE) past
// commandTimeoutMs, verify rejects with ERR_STORE_UNAVAILABLE (503) and the sender retries; the
// SET NX it sent still runs when Redis resumes. The mark is withdrawn then, so the retry is
// accepted instead of being refused as a replay of an event nobody processed.
import { StoreError } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { createSigner, createVerifier, generateSecret } from '@portcullis/webhooks';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../harness/ports.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';

let redis: RedisPeer;
let admin: ReturnType<typeof createClient>;
beforeAll(async () => {
  redis = await startRedis();
  admin = createClient({ url: redis.url });
  await admin.connect();
});
afterAll(async () => {
  await admin?.close();
  await redis?.stop();
});

it('a verify that timed out on a paused Redis leaves no mark: the retry is accepted', async () => {
  const secret = generateSecret();
  const store = await RedisStore.connect({
    url: redis.url,
    keyPrefix: 'paused:',
    commandTimeoutMs: 200,
  });
  try {
    const verifier = createVerifier({ secrets: secret, store });
    const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_paused' } });
    const headers = await createSigner({ secrets: secret }).sign({ body });
    const key = `paused:webhooks:replay:standard:${headers['webhook-id']}`;

    await admin.sendCommand(['CLIENT', 'PAUSE', '700', 'ALL']);
    const started = Date.now();
    const error = await verifier.verify({ headers, body }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE', status: 503 });
    expect(Date.now() - started).toBeLessThan(650);

    // Redis resumes and runs the SET NX it was sent; the mark must be gone right after.
    await waitFor('Redis to resume', async () => (await admin.ping()) === 'PONG');
    await waitFor('the mark to be withdrawn', async () => (await admin.exists(key)) === 0, {
      timeoutMs: 3000,
    });
    // The sender's retry is accepted (once), not refused as a replay.
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({
      id: headers['webhook-id'],
    });
    await expect(verifier.verify({ headers, body })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_REPLAYED',
    });
  } finally {
    await store.close();
  }
});
