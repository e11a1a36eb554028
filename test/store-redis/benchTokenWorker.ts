// One process of store-redis's token-cache benchmark (packages/store-redis/bench/cluster.ts): a fleet token provider whose store is the cluster,
// calling getToken() as fast as it can for `durationMs`; prints how many calls it served.
import { createTokenProvider } from '@portcullis/oauth';
import { RedisStore } from '@portcullis/store-redis';
import { readWorkerInput } from '../harness/worker.ts';

const { urls, issuer, clientId, secret, resource, durationMs, startAt } = await readWorkerInput<{
  urls: string[];
  issuer: string;
  clientId: string;
  secret: string;
  resource: string;
  durationMs: number;
  startAt: number;
}>();
const store = await RedisStore.connectCluster({ urls, keyPrefix: 'bench-tokens:' });
const tokens = createTokenProvider({
  issuer,
  clientId,
  clientAuth: { method: 'client_secret_basic', secret },
  scope: 'orders:read',
  resource,
  allowInsecureHttp: true,
  fleet: { store },
});
await tokens.getToken(); // warm: adopt or fetch the fleet's token
await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
let calls = 0;
const until = Date.now() + durationMs;
while (Date.now() < until) {
  for (let i = 0; i < 100; i++) await tokens.getToken();
  calls += 100;
}
tokens.close();
await store.close();
process.stdout.write(`${JSON.stringify({ calls })}\n`);
