// One receiver process of the replay test: verifies one webhook against a verifier whose replay
// store is the shared Redis, prints the outcome as JSON, exits. Run with
// `node --conditions=@portcullis/source replayWorker.ts <redisUrl> <keyPrefix> <secret> <headersJson> <bodyBase64>`.

import { RedisStore } from '@portcullis/store-redis';
import { createVerifier, isWebhookError } from '@portcullis/webhooks';

const [redisUrl, keyPrefix, secret, headersJson, bodyBase64] = process.argv.slice(2) as string[];
const store = await RedisStore.connect({ url: redisUrl as string, keyPrefix: keyPrefix as string });
const verifier = createVerifier({ secrets: secret as string, store });
let outcome: { ok: true; id: string | undefined } | { ok: false; code: string };
try {
  const result = await verifier.verify({
    headers: JSON.parse(headersJson as string) as Record<string, string>,
    body: Buffer.from(bodyBase64 as string, 'base64'),
  });
  outcome = { ok: true, id: result.id };
} catch (error) {
  if (!isWebhookError(error)) throw error;
  outcome = { ok: false, code: error.code };
} finally {
  await store.close();
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
