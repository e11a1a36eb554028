// The fleet example, one command: `pnpm --filter @portcullis-examples/fleet-redis start`
// (add `-- --json` for a machine-readable summary). It uses the Redis at REDIS_URL, or starts a
// throwaway redis-server on loopback, forks two replicas (src/replica.ts) sharing it, and shows:
//   1. one token request to the authorization server serves every API call of both processes;
//   2. a webhook delivered to replica 1 and replayed to replica 2 is refused there (409).
// Exits non-zero if either does not hold.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { reveal } from '@portcullis/core';
import { createSigner, generateSecret } from '@portcullis/webhooks';
import { startAuthAndApi, startRedisServer } from './peers.ts';
import type { ReplicaConfig, ReplicaMessage } from './replica.ts';

const CALLS_PER_REPLICA = 10;
const json = process.argv.includes('--json');
const log = (line: string): void => {
  if (!json) console.log(line);
};

const own = process.env.REDIS_URL ? undefined : await startRedisServer();
const redisUrl = process.env.REDIS_URL ?? own?.url ?? '';
log(`Redis: ${own ? 'a redis-server started for this run' : 'REDIS_URL'}`);
const clientSecret = randomBytes(24).toString('base64url');
const auth = await startAuthAndApi('fleet-example', clientSecret);
const webhookSecret = generateSecret();

function replica(): {
  port: Promise<number>;
  ask(message: string): Promise<ReplicaMessage>;
  child: ReturnType<typeof fork>;
} {
  const child = fork(new URL('./replica.ts', import.meta.url), [], {
    execArgv: ['--conditions=@portcullis/source'],
    stdio: 'inherit',
  });
  const reply = (): Promise<ReplicaMessage> =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m as ReplicaMessage));
      child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
    });
  const config: ReplicaConfig = {
    redisUrl,
    authUrl: auth.url,
    clientId: 'fleet-example',
    clientSecret,
    webhookSecret: reveal(webhookSecret),
    calls: CALLS_PER_REPLICA,
  };
  const listening = reply();
  child.send(config);
  return {
    child,
    port: listening.then((m) =>
      m.type === 'listening' ? m.port : Promise.reject(new Error(m.type)),
    ),
    ask(message) {
      const answer = reply();
      child.send(message);
      return answer;
    },
  };
}

const replicas = [replica(), replica()];
const ports = await Promise.all(replicas.map((r) => r.port));
const called = await Promise.all(replicas.map((r) => r.ask('call')));
const apiCalls = called.reduce((sum, m) => sum + (m.type === 'called' ? m.ok : 0), 0);
const tokenRequests = auth.tokenRequests();
log(
  `replica 1 and replica 2: ${apiCalls} API calls (${CALLS_PER_REPLICA} each, at the same moment)`,
);
log(
  `token requests to the authorization server: ${tokenRequests} (serving ${apiCalls} calls in 2 processes)`,
);

// One signed delivery, sent to replica 1, then replayed byte for byte to replica 2.
const body = JSON.stringify({ type: 'payment.succeeded', amount: 4200 });
const headers = await createSigner({ secrets: webhookSecret }).sign({ body });
const deliver = async (port: number): Promise<{ status: number; code?: string }> => {
  const response = await fetch(`http://127.0.0.1:${port}/webhooks`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  const text = await response.text();
  return text
    ? { status: response.status, ...(JSON.parse(text) as { code: string }) }
    : { status: response.status };
};
const first = await deliver(ports[0] ?? 0);
const replay = await deliver(ports[1] ?? 0);
log(`webhook to replica 1: ${first.status === 204 ? 'accepted' : 'REFUSED'} (${first.status})`);
log(
  `same webhook replayed to replica 2: ${replay.status === 409 ? 'refused' : 'ACCEPTED'} (${replay.status} ${replay.code ?? ''})`,
);

await Promise.all(
  replicas.map(
    (r) =>
      new Promise((resolve) => {
        r.child.once('exit', resolve);
        r.child.send('stop');
      }),
  ),
);
await auth.close();
own?.stop();

const held =
  tokenRequests === 1 &&
  apiCalls === 2 * CALLS_PER_REPLICA &&
  first.status === 204 &&
  replay.code === 'ERR_WEBHOOK_REPLAYED';
if (json)
  console.log(JSON.stringify({ tokenRequests, apiCalls, processes: 2, first, replay, held }));
else
  log(
    held ? 'ok: one token for the fleet, the replay refused across processes' : 'FAILED: see above',
  );
process.exitCode = held ? 0 : 1;
