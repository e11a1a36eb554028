// One "process" of the fleet test: shares tokens through Redis, calls getToken() every 50 ms for
// the given duration, prints the fingerprints it saw as JSON. Started by the harness's
// runWorker(), which sends a FleetWorkerInput as JSON on stdin.
import { createTokenProvider } from '@portcullis/oauth';
import { RedisStore } from '@portcullis/store-redis';
import { readWorkerInput } from '../harness/worker.ts';

export interface FleetWorkerInput {
  redisUrl: string;
  issuer: string;
  clientId: string;
  secret: string;
  resource: string;
  durationMs: number;
  keyPrefix: string;
}

const { redisUrl, issuer, clientId, secret, resource, durationMs, keyPrefix } =
  await readWorkerInput<FleetWorkerInput>();
const store = await RedisStore.connect({ url: redisUrl, keyPrefix });
const tokens = createTokenProvider({
  issuer,
  clientId,
  clientAuth: { method: 'client_secret_basic', secret },
  scope: 'orders:read',
  resource,
  allowInsecureHttp: true,
  fleet: { store, pollIntervalMs: 50, lockTtlMs: 3000 },
});
const seen = new Set<string>();
let calls = 0;
const until = Date.now() + durationMs;
while (Date.now() < until) {
  const token = await tokens.getToken();
  if (token.expiresAt <= Date.now()) throw new Error('served an expired token');
  seen.add(token.fingerprint);
  calls++;
  await new Promise((r) => setTimeout(r, 50));
}
tokens.close();
await store.close();
process.stdout.write(`${JSON.stringify({ calls, fingerprints: [...seen] })}\n`);
