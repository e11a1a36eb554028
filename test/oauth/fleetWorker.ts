// One "process" of the fleet test: shares tokens through Redis, calls getToken() every 50 ms for
// the given duration, prints the fingerprints it saw as JSON. Run with
// `node --conditions=@portcullis/source fleetWorker.ts <redisUrl> <issuer> <clientId> <secret> <resource> <durationMs> <keyPrefix>`.
import { createTokenProvider } from '@portcullis/oauth';
import { RedisStore } from '@portcullis/store-redis';

const [redisUrl, issuer, clientId, secret, resource, durationMs, keyPrefix] = process.argv.slice(
  2,
) as string[];
const store = await RedisStore.connect({ url: redisUrl as string, keyPrefix: keyPrefix as string });
const tokens = createTokenProvider({
  issuer: issuer as string,
  clientId: clientId as string,
  clientAuth: { method: 'client_secret_basic', secret: secret as string },
  scope: 'orders:read',
  resource: resource as string,
  allowInsecureHttp: true,
  fleet: { store, pollIntervalMs: 50, lockTtlMs: 3000 },
});
const seen = new Set<string>();
let calls = 0;
const until = Date.now() + Number(durationMs);
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
