// One receiver process of the replay test: verifies one webhook against a verifier whose replay
// store is the shared Redis, prints the outcome as JSON, exits. Started by the harness's
// runWorker(), which sends a ReplayWorkerInput as JSON on stdin.

import { RedisStore } from '@portcullis/store-redis';
import { createVerifier, isWebhookError } from '@portcullis/webhooks';
import { readWorkerInput } from '../harness/worker.ts';

export interface ReplayWorkerInput {
  redisUrl: string;
  keyPrefix: string;
  secret: string;
  headers: Record<string, string>;
  bodyBase64: string;
}

const { redisUrl, keyPrefix, secret, headers, bodyBase64 } =
  await readWorkerInput<ReplayWorkerInput>();
const store = await RedisStore.connect({ url: redisUrl, keyPrefix });
const verifier = createVerifier({ secrets: secret, store });
let outcome: { ok: true; id: string | undefined } | { ok: false; code: string };
try {
  const result = await verifier.verify({
    headers,
    body: Buffer.from(bodyBase64, 'base64'),
  });
  outcome = { ok: true, id: result.id };
} catch (error) {
  if (!isWebhookError(error)) throw error;
  outcome = { ok: false, code: error.code };
} finally {
  await store.close();
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
