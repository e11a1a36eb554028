// One delivery worker process for the multi-process tests: a sender on the shared schema, started
// in the background until SIGTERM. Prints "ready" once it polls.
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import { createWebhookSender } from '@portcullis/webhook-sender';
import { loopbackFetch, newPool, SECRET } from './support.ts';

const { PG_URL, SCHEMA, LEASE_MS, WORKER_ID } = process.env as Record<string, string>;
const pool = newPool(PG_URL as string);
const fetch = loopbackFetch();
const secrets = createSecretsCache(new MemoryProvider({ secrets: { hook: SECRET } }));
const sender = createWebhookSender({
  pool,
  secrets,
  fetch,
  schema: SCHEMA as string,
  leaseMs: Number(LEASE_MS),
  requestTimeoutMs: Math.floor((Number(LEASE_MS) * 2) / 3), // a request ends within its lease
  workerId: WORKER_ID as string,
  pollIntervalMs: 20,
  concurrency: 4,
  batchSize: 4,
});
sender.start();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await sender.stop();
  await Promise.all([fetch.close(), secrets.close(), pool.end()]);
  process.exit(0);
});
