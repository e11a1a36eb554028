// Round trips on loopback: each RedisStore operation against the raw node-redis call that does
// the same work on the server (its floor). Starts its own redis-server on a free 127.0.0.1 port.
// Run: pnpm --filter @portcullis/store-redis bench
//
// Loopback latency on a shared 2-core machine drifts by 2–3× from one second to the next, so
// measuring one task after another (as tinybench does) compares different machine states. Here
// each pair is measured interleaved (floor, ours, floor, ours…) in batches, and the table gives the
// median over batches: the ratio is then robust to drift, the absolute times only indicative.
import { RedisStore } from '@portcullis/store-redis';
import { createClient } from 'redis';
import { startRedis } from '../../../test/harness/redis.ts';
import { INCREMENT } from '../src/internal/scripts.ts';

const BATCHES = 40;
const PER_BATCH = 100;
const TTL = 60_000;

const redis = await startRedis();
const raw = createClient({ url: redis.url });
await raw.connect();
await raw.sendCommand(['SCRIPT', 'LOAD', INCREMENT.source]);
const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'bench:' });
let n = 0;

type Task = () => Promise<unknown>;
const pairs: Array<{ ours: string; floor: string; run: Task; base: Task }> = [
  {
    ours: 'RedisStore.setIfAbsent',
    floor: 'raw SET NX PX',
    run: () => store.setIfAbsent(`nonce:${n++}`, '1', TTL),
    base: () =>
      raw.set(`raw:nonce:${n++}`, '1', {
        condition: 'NX',
        expiration: { type: 'PX', value: TTL },
      }),
  },
  {
    ours: 'RedisStore.increment',
    floor: 'raw EVALSHA, same script',
    run: () => store.increment('counter', TTL),
    base: () => raw.sendCommand(['EVALSHA', INCREMENT.sha1, '1', 'raw:scripted', '1', String(TTL)]),
  },
  {
    ours: 'raw EVALSHA, same script',
    floor: 'raw INCR',
    run: () => raw.sendCommand(['EVALSHA', INCREMENT.sha1, '1', 'raw:scripted', '1', String(TTL)]),
    base: () => raw.incr('raw:counter'),
  },
  {
    ours: 'RedisStore.get',
    floor: 'raw GET',
    run: () => store.get('counter'),
    base: () => raw.get('raw:counter'),
  },
];

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function timed(task: Task): Promise<number> {
  const start = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - start) / 1000; // µs
}

const rows = [];
for (const pair of pairs) {
  for (let i = 0; i < 200; i++) {
    await pair.base();
    await pair.run();
  }
  const ours: number[] = [];
  const floor: number[] = [];
  const ratios: number[] = [];
  for (let b = 0; b < BATCHES; b++) {
    let o = 0;
    let f = 0;
    for (let i = 0; i < PER_BATCH; i++) {
      f += await timed(pair.base);
      o += await timed(pair.run);
    }
    ours.push(o / PER_BATCH);
    floor.push(f / PER_BATCH);
    ratios.push(o / f);
  }
  rows.push({
    task: pair.ours,
    'µs/op': median(ours).toFixed(1),
    floor: pair.floor,
    'floor µs/op': median(floor).toFixed(1),
    'vs floor': `${median(ratios).toFixed(2)}×`,
  });
}

await store.close();
raw.destroy();
await redis.stop();

console.log(
  `Node ${process.version}, redis-server on 127.0.0.1, one connection each, sequential calls; ` +
    `median of ${BATCHES} interleaved batches of ${PER_BATCH}`,
);
console.table(rows);
