// One command, one run: rate-limit decisions/s in memory and on a real Redis, for this package
// and for rate-limiter-flexible, in the same run, plus round trips to Redis per decision
// (counted by a loopback proxy). Numbers are noisy on a shared machine.
// Run: pnpm --filter @portcullis/ratelimit bench   (BENCH_TIME_MS=… for longer runs)

import { type AddressInfo, connect, createServer } from 'node:net';
import {
  createRateLimiter,
  MemoryRateLimitStore,
  RedisRateLimitStore,
} from '@portcullis/ratelimit';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { Bench } from 'tinybench';
import { startRedis } from '../../../test/harness/redis.ts';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);
const KEYS = Array.from({ length: 1000 }, (_, i) => `client-${i}`);
// High limits: every decision is an allowed one, the same work for both libraries.
const LIMIT = 1_000_000;
const WINDOW_MS = 60_000;

interface Row {
  group: 'memory' | 'redis';
  name: string;
  hz: number;
}

async function run(group: Row['group'], bench: Bench): Promise<Row[]> {
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result as { state: string; throughput?: { mean: number }; error?: unknown };
    if (result.state !== 'completed' || result.throughput === undefined) {
      throw new Error(`${task.name} did not complete`, { cause: result.error });
    }
    return { group, name: task.name, hz: result.throughput.mean };
  });
}

let i = 0;
const nextKey = (): string => KEYS[i++ % KEYS.length] as string;

// Memory: the floor is a bare Map read + write per decision (what any in-memory limiter must do).
const floor = new Map<string, number>();
const gcra = createRateLimiter({ limit: LIMIT, windowMs: WINDOW_MS });
const sliding = createRateLimiter({
  limit: LIMIT,
  windowMs: WINDOW_MS,
  algorithm: 'sliding-window',
});
const twoRules = createRateLimiter({
  rules: [
    { name: 'burst', limit: LIMIT, windowMs: 1000 },
    { name: 'hour', limit: LIMIT, windowMs: 3_600_000, algorithm: 'sliding-window' },
  ],
  store: new MemoryRateLimitStore(),
});
const rlfMemory = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 });
const memory = new Bench({ time: TIME_MS, warmupTime: 100 })
  .add('floor: Map get + set', () => {
    const k = nextKey();
    floor.set(k, (floor.get(k) ?? 0) + 1);
  })
  .add('@portcullis/ratelimit gcra', () => gcra.check(nextKey()))
  .add('@portcullis/ratelimit sliding-window', () => sliding.check(nextKey()))
  .add('@portcullis/ratelimit 2 rules', () => twoRules.check(nextKey()))
  .add('rate-limiter-flexible RateLimiterMemory', () => rlfMemory.consume(nextKey()));
const rows = await run('memory', memory);

// Redis: a real redis-server on loopback; 64 decisions in flight per task iteration, so the
// numbers measure throughput rather than one round trip's latency.
const redis = await startRedis();
const client = createClient({ url: redis.url, disableOfflineQueue: true });
client.on('error', () => {});
await client.connect();
const BATCH = 64;
const ours = createRateLimiter({
  limit: LIMIT,
  windowMs: WINDOW_MS,
  store: new RedisRateLimitStore({ client }),
  storeTimeoutMs: 5000,
});
const oursSliding = createRateLimiter({
  limit: LIMIT,
  windowMs: WINDOW_MS,
  algorithm: 'sliding-window',
  store: new RedisRateLimitStore({ client }),
  storeTimeoutMs: 5000,
});
const rlfRedis = new RateLimiterRedis({
  storeClient: client,
  useRedisPackage: true,
  points: LIMIT,
  duration: WINDOW_MS / 1000,
});
const batch = (decide: (key: string) => Promise<unknown>) => () =>
  Promise.all(Array.from({ length: BATCH }, () => decide(nextKey()))).then(() => {});
const remote = new Bench({ time: TIME_MS * 2, warmupTime: 100 })
  .add(
    'floor: INCR (one command)',
    batch((k) => client.incr(`floor:${k}`)),
  )
  .add(
    '@portcullis/ratelimit gcra',
    batch((k) => ours.check(k)),
  )
  .add(
    '@portcullis/ratelimit sliding-window',
    batch((k) => oursSliding.check(k)),
  )
  .add(
    'rate-limiter-flexible RateLimiterRedis',
    batch((k) => rlfRedis.consume(k)),
  );
const redisRows = (await run('redis', remote)).map((r) => ({ ...r, hz: r.hz * BATCH }));

// Round trips per decision: decisions made one after another through a loopback TCP proxy that
// counts what the client writes (each request a client waits for is one write).
let writes = 0;
const proxy = createServer((inbound) => {
  const outbound = connect(redis.port, '127.0.0.1');
  inbound.on('data', (chunk) => {
    writes++;
    outbound.write(chunk);
  });
  outbound.on('data', (chunk) => inbound.write(chunk));
  inbound.on('error', () => outbound.destroy());
  outbound.on('error', () => inbound.destroy());
  inbound.on('close', () => outbound.destroy());
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const counted = createClient({
  url: `redis://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
  disableOfflineQueue: true,
});
counted.on('error', () => {});
await counted.connect();
async function roundTrips(decide: (key: string) => Promise<unknown>): Promise<number> {
  await decide(nextKey()); // first call: EVAL with the script source, then EVALSHA
  const before = writes;
  const n = 500;
  for (let k = 0; k < n; k++) await decide(nextKey());
  return (writes - before) / n;
}
const countedStore = new RedisRateLimitStore({ client: counted });
const perDecision: Record<string, number> = {
  '@portcullis/ratelimit gcra': await roundTrips((k) =>
    createRateLimiter({ limit: LIMIT, windowMs: WINDOW_MS, store: countedStore }).check(k),
  ),
  'rate-limiter-flexible RateLimiterRedis': await roundTrips((k) =>
    new RateLimiterRedis({
      storeClient: counted,
      useRedisPackage: true,
      points: LIMIT,
      duration: WINDOW_MS / 1000,
    }).consume(k),
  ),
};
await counted.close();
proxy.close();
await client.close();
await redis.stop();

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const all = [...rows, ...redisRows];
const lines = [
  '| store | implementation | decisions/s | × floor | round trips per decision |',
  '| --- | --- | ---: | ---: | ---: |',
];
for (const row of all) {
  const f = all.find((r) => r.group === row.group && r.name.startsWith('floor:')) as Row;
  const cmds = row.group === 'redis' ? perDecision[row.name] : undefined;
  lines.push(
    `| ${row.group} | ${row.name} | ${fmt(row.hz)} | ${(row.hz / f.hz).toFixed(2)} | ${cmds === undefined ? '' : cmds.toFixed(2)} |`,
  );
}
const at = (group: string, name: string): number =>
  all.find((r) => r.group === group && r.name === name)?.hz ?? Number.NaN;
console.log(
  `Node ${process.version}, ${process.platform}/${process.arch}, ${TIME_MS} ms per task\n`,
);
console.log(lines.join('\n'));
console.log(
  `\nours (gcra) ÷ rate-limiter-flexible: memory ${(at('memory', '@portcullis/ratelimit gcra') / at('memory', 'rate-limiter-flexible RateLimiterMemory')).toFixed(2)}×, ` +
    `redis ${(at('redis', '@portcullis/ratelimit gcra') / at('redis', 'rate-limiter-flexible RateLimiterRedis')).toFixed(2)}×`,
);
