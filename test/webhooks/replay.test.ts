// Replay protection across processes: receivers in separate processes share one real Redis store,
// so a webhook replayed to another replica is refused there too, and a forged request never
// burns the genuine message's nonce.
import { RedisStore } from '@portcullis/store-redis';
import { createSigner, createVerifier, generateSecret } from '@portcullis/webhooks';
import { createClient } from 'redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { runWorker } from '../harness/worker.ts';
import type { ReplayWorkerInput } from './replayWorker.ts';

const WORKER = new URL('./replayWorker.ts', import.meta.url);
const PREFIX = 'webhooks-replay-test:';

type Outcome = { ok: true; id: string } | { ok: false; code: string };

let redis: RedisPeer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

function receiveInChild(
  secret: string,
  headers: Record<string, string>,
  body: string,
): Promise<Outcome> {
  const input: ReplayWorkerInput = {
    redisUrl: redis.url,
    keyPrefix: PREFIX,
    secret,
    headers,
    bodyBase64: Buffer.from(body).toString('base64'),
  };
  return runWorker<Outcome>(WORKER, input);
}

it('a webhook replayed to another process sharing the Redis store is refused', async () => {
  const secret = generateSecret().reveal();
  const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_42' } });
  const headers = await createSigner({ secrets: secret }).sign({ body });

  // Two receiver processes get the same delivery at the same time: exactly one accepts it.
  const outcomes = await Promise.all([
    receiveInChild(secret, headers, body),
    receiveInChild(secret, headers, body),
  ]);
  expect(outcomes.filter((o) => o.ok)).toEqual([{ ok: true, id: headers['webhook-id'] }]);
  expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, code: 'ERR_WEBHOOK_REPLAYED' }]);

  // A third replica (this process) refuses it too.
  const store = await RedisStore.connect({ url: redis.url, keyPrefix: PREFIX });
  try {
    const verifier = createVerifier({ secrets: secret, store });
    await expect(verifier.verify({ headers, body })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_REPLAYED',
    });
  } finally {
    await store.close();
  }

  // The mark lives for the whole window any replica could accept the message in: past (300 s)
  // + future (30 s) tolerance + clock skew between replicas (30 s), and no longer.
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const ttl = await client.pTTL(`${PREFIX}webhooks:replay:standard:${headers['webhook-id']}`);
    expect(ttl).toBeGreaterThan(350_000);
    expect(ttl).toBeLessThanOrEqual(360_000);
  } finally {
    await client.close();
  }
});

it('a forged delivery in one process does not burn the nonce of the genuine one in another', async () => {
  const secret = generateSecret().reveal();
  const body = JSON.stringify({ type: 'payout.created', data: { id: 'po_7' } });
  const headers = await createSigner({ secrets: secret }).sign({ body });
  const forged = await receiveInChild(secret, headers, body.replace('po_7', 'po_8'));
  expect(forged).toEqual({ ok: false, code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH' });
  const wrongKey = await receiveInChild(generateSecret().reveal(), headers, body);
  expect(wrongKey).toEqual({ ok: false, code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH' });
  expect(await receiveInChild(secret, headers, body)).toEqual({
    ok: true,
    id: headers['webhook-id'],
  });
  expect(await receiveInChild(secret, headers, body)).toEqual({
    ok: false,
    code: 'ERR_WEBHOOK_REPLAYED',
  });
});
