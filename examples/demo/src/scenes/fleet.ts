// Demo scene for a fleet: a real redis-server and two replica processes (fleet/replica.ts) that
// share it through @portcullis/store-redis and the ratelimit Redis store. A webhook delivered to
// one replica and replayed to the other is refused; a flood spread over both is held at one limit;
// and both replicas' OAuth clients share one token (one request at the authorization server).
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { reveal } from '@portcullis/core';
import { createSigner, generateSecret } from '@portcullis/webhooks';
import { startOAuthServer } from '../peers/authorization.ts';
import { spawnPeer } from '../peers/processes.ts';
import { startRedis } from '../peers/redis.ts';
import type { Scene } from '../scene.ts';

const REPLICA = fileURLToPath(new URL('../fleet/replica.ts', import.meta.url));

/** Starts one replica process and waits (at most 10 s) for the URL it prints. */
async function startReplica(
  env: Record<string, string>,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const { child, stop } = spawnPeer(
    process.execPath,
    ['--conditions=@portcullis/source', REPLICA],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('a replica did not start within 10 s')),
        10_000,
      );
      lines.once('line', (line) => {
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        // Its first stderr line only: the environment (and the secret in it) is never echoed.
        reject(new Error(`a replica exited with ${code}: ${stderr.split('\n')[0] ?? ''}`));
      });
    });
    return { url, pid: child.pid ?? 0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export const fleetScene: Scene = {
  name: 'fleet',
  title: 'a two-process fleet on one Redis: replays and floods seen by every replica',
  async run({ say, record }) {
    const redis = await startRedis();
    const resource = 'https://api.fleet.test';
    const as = await startOAuthServer(resource);
    const replicas: { stop: () => Promise<void> }[] = [];
    try {
      const secret = generateSecret();
      const env = {
        REDIS_URL: redis.url,
        WEBHOOK_SECRET: String(reveal(secret)),
        OAUTH_ISSUER: as.issuer,
        OAUTH_CLIENT_ID: as.secretClient.clientId,
        OAUTH_CLIENT_SECRET: as.secretClient.secret,
        OAUTH_RESOURCE: resource,
      };
      const [a, b] = await Promise.all([startReplica(env), startReplica(env)]);
      replicas.push(a, b);
      say(`redis-server at ${redis.url}; replica A (pid ${a.pid}) and B (pid ${b.pid}) share it`);

      const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_2001', amount: 990 } });
      const headers = await createSigner({ secrets: secret }).sign({ body });
      const deliver = async (url: string) => {
        const r = await fetch(`${url}/webhooks`, { method: 'POST', headers, body });
        return r.status < 300
          ? String(r.status)
          : `${r.status} ${((await r.json()) as { code: string }).code}`;
      };
      say(`genuine delivery to replica A → ${await deliver(a.url)}`);
      const replay = await deliver(b.url);
      record({
        scenario: 'replayed webhook sent to the other replica',
        happened: `accepted by A, replayed to B → ${replay} (nonce shared in Redis)`,
        stoppedBy: '@portcullis/webhooks + @portcullis/store-redis',
        held: replay.includes('ERR_WEBHOOK_REPLAYED'),
      });

      const flood = await Promise.all(
        Array.from({ length: 30 }, (_, i) => fetch(`${i % 2 ? b.url : a.url}/api`)),
      );
      const allowed = flood.filter((r) => r.status === 200).length;
      const refused = flood.filter((r) => r.status === 429);
      await Promise.all(flood.map((r) => r.body?.cancel()));
      record({
        scenario: 'request flood spread over two replicas',
        happened: `30 requests, alternating A/B → ${allowed} × 200, ${refused.length} × 429 (one limit of 10 for the fleet)`,
        stoppedBy: '@portcullis/ratelimit (Redis store)',
        held:
          allowed === 10 &&
          refused.length === 20 &&
          refused.every((r) => r.headers.has('retry-after')),
      });

      const lookups = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const r = await fetch(`${i % 2 ? b.url : a.url}/token`);
          return r.ok
            ? ((await r.json()) as { fingerprint: string }).fingerprint
            : `HTTP ${r.status}`;
        }),
      );
      const distinct = new Set(lookups);
      const requests = as.tokenRequests();
      record({
        scenario: 'token requests for a two-replica fleet',
        happened: `20 concurrent token lookups on A and B → ${distinct.size} token, ${requests} token request${requests === 1 ? '' : 's'} (shared through Redis)`,
        stoppedBy: '@portcullis/oauth fleet + @portcullis/store-redis',
        held:
          distinct.size === 1 && requests === 1 && [...distinct][0]?.startsWith('sha256:') === true,
      });
    } finally {
      await Promise.all(replicas.map((r) => r.stop()));
      await as.close();
      await redis.stop();
    }
  },
};
