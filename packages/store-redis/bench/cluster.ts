// Redis Cluster against one Redis, in one run: operations per second of setIfAbsent and
// increment (sequential, and 32 in flight), then token-cache hits per second with 4 processes
// sharing tokens through the cluster. Starts its own redis-server, six-node cluster and OAuth
// server on 127.0.0.1. Run: pnpm --filter @portcullis/store-redis bench
//
// The machine is shared and small (2 cores, six cluster nodes on it): read the ratios, and
// expect the absolute numbers to move by tens of percent between runs.
import { RedisStore } from '@portcullis/store-redis';
import { OIDC_CLIENTS, OIDC_RESOURCE, startOidc } from '../../../test/harness/oidc.ts';
import { startRedis } from '../../../test/harness/redis.ts';
import { startRedisCluster } from '../../../test/harness/redisCluster.ts';
import { runWorker } from '../../../test/harness/worker.ts';

const ROUNDS = 3;
const ROUND_MS = 400;
const TTL = 60_000;

const [single, cluster, oidc] = await Promise.all([
  startRedis(),
  startRedisCluster(),
  startOidc({ accessTokenTtlSec: 60 }),
]);
const stores = {
  'one Redis': await RedisStore.connect({ url: single.url, keyPrefix: 'bench:' }),
  'Redis Cluster (3 primaries)': await RedisStore.connectCluster({
    urls: [...cluster.urls],
    keyPrefix: 'bench:',
  }),
};

let n = 0;
const ops = {
  setIfAbsent: (s: RedisStore) => s.setIfAbsent(`nonce:${n++}`, '1', TTL),
  increment: (s: RedisStore) => s.increment(`counter:${n++ % 64}`, TTL),
};

/** Operations per second over `ROUND_MS`, with `inFlight` callers each awaiting its own calls. */
async function opsPerSecond(run: () => Promise<unknown>, inFlight: number): Promise<number> {
  let done = 0;
  const until = performance.now() + ROUND_MS;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < until) {
        await run();
        done++;
      }
    }),
  );
  return (done / ROUND_MS) * 1000;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const rows = [];
for (const [name, op] of Object.entries(ops)) {
  for (const inFlight of [1, 32]) {
    const seen: Record<string, number[]> = {};
    for (let r = 0; r < ROUNDS; r++) {
      // Interleaved, so both see the same machine state.
      for (const [label, store] of Object.entries(stores)) {
        const list = seen[label] ?? [];
        seen[label] = list;
        list.push(await opsPerSecond(() => op(store), inFlight));
      }
    }
    const one = median(seen['one Redis'] ?? []);
    const many = median(seen['Redis Cluster (3 primaries)'] ?? []);
    rows.push({
      task: `${name}, ${inFlight} in flight`,
      'one Redis ops/s': Math.round(one),
      'cluster ops/s': Math.round(many),
      'cluster vs one': `${(many / one).toFixed(2)}×`,
    });
  }
}
for (const store of Object.values(stores)) await store.close();

// Token-cache hits: 4 processes, one fleet token on the cluster.
const startAt = Date.now() + 3000;
const DURATION_MS = 2000;
const results = await Promise.all(
  Array.from({ length: 4 }, () =>
    runWorker<{ calls: number }>(
      new URL('../../../test/store-redis/benchTokenWorker.ts', import.meta.url),
      {
        urls: [...cluster.urls],
        issuer: oidc.issuer,
        clientId: OIDC_CLIENTS.basic.clientId,
        secret: OIDC_CLIENTS.basic.secret,
        resource: OIDC_RESOURCE,
        durationMs: DURATION_MS,
        startAt,
      },
    ),
  ),
);
const hits = results.reduce((sum, r) => sum + r.calls, 0) / (DURATION_MS / 1000);

await Promise.all([single.stop(), cluster.stop(), oidc.stop()]);

console.log(
  `Node ${process.version}; median of ${ROUNDS} interleaved rounds of ${ROUND_MS} ms; all servers on 127.0.0.1 of one 2-core machine`,
);
console.table(rows);
console.log(
  `token-cache hits: ${Math.round(hits)} getToken()/s across 4 processes on the cluster ` +
    `(${oidc.tokenRequests} token request(s) for the whole fleet)`,
);
