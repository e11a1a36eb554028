// One replica of the fleet, forked by main.ts (its configuration arrives over the IPC channel,
// never in argv or the environment). It shares two things with its sibling through Redis:
// the OAuth token cache and refresh lock (`fleet: { store }`), and the webhook replay store.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPortcullisError, redacted } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import { RedisStore } from '@portcullis/store-redis';
import { createVerifier, readIncomingMessage } from '@portcullis/webhooks';

/** What main.ts sends first. */
export interface ReplicaConfig {
  redisUrl: string;
  authUrl: string;
  clientId: string;
  clientSecret: string;
  webhookSecret: string;
  calls: number;
}

/** Messages a replica sends back. */
export type ReplicaMessage =
  | { type: 'listening'; port: number }
  | { type: 'called'; ok: number; tokens: string[] };

const next = (): Promise<unknown> => new Promise((resolve) => process.once('message', resolve));
const send = (message: ReplicaMessage): void => {
  process.send?.(message);
};

// Never outlive main.ts: if it dies, the IPC channel closes and so does this replica.
process.once('disconnect', () => process.exit(process.exitCode ?? 1));
const config = (await next()) as ReplicaConfig;
const store = await RedisStore.connect({
  url: redacted(config.redisUrl),
  keyPrefix: 'fleet-redis:',
});
const tokens = createTokenProvider({
  issuer: config.authUrl,
  tokenEndpoint: `${config.authUrl}/token`,
  clientId: config.clientId,
  clientAuth: { method: 'client_secret_basic', secret: redacted(config.clientSecret) },
  allowInsecureHttp: true, // the loopback token endpoint of this example; use https in production
  fleet: { store, pollIntervalMs: 20 },
});
const verifier = createVerifier({ secrets: redacted(config.webhookSecret), store });

const server = createServer(async (req, res) => {
  try {
    await verifier.verify(await readIncomingMessage(req));
    res.writeHead(204).end();
  } catch (error) {
    const status = (isPortcullisError(error) ? error.status : undefined) ?? 500;
    const code = isPortcullisError(error) ? error.code : 'ERR_INTERNAL';
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ code }));
  }
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
send({ type: 'listening', port: (server.address() as AddressInfo).port });

await next(); // 'call': both replicas start their API calls at the same moment
const seen = new Set<string>();
const results = await Promise.all(
  Array.from({ length: config.calls }, async () => {
    seen.add((await tokens.getToken()).fingerprint);
    const response = await tokens.fetch(`${config.authUrl}/balance`);
    await response.arrayBuffer();
    return response.ok;
  }),
);
send({ type: 'called', ok: results.filter(Boolean).length, tokens: [...seen] });

await next(); // 'stop'
tokens.close();
server.closeAllConnections();
server.close();
await store.close();
process.exitCode = 0;
process.disconnect();
