// Round trips on loopback: RedisStore operations against the raw node-redis calls they are built
// on (the floor). Starts its own redis-server on a free 127.0.0.1 port.
// Run: pnpm --filter @portcullis/store-redis bench
import { RedisStore } from '@portcullis/store-redis';
import { createClient } from 'redis';
import { Bench } from 'tinybench';
import { startRedis } from '../../../test/harness/redis.ts';

const redis = await startRedis();
const raw = createClient({ url: redis.url });
await raw.connect();
const store = await RedisStore.connect({ url: redis.url, keyPrefix: 'bench:' });
const TTL = 60_000;
let n = 0;

const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('raw SET NX PX', async () => {
    await raw.set(`raw:nonce:${n++}`, '1', {
      condition: 'NX',
      expiration: { type: 'PX', value: TTL },
    });
  })
  .add('RedisStore.setIfAbsent', async () => {
    await store.setIfAbsent(`nonce:${n++}`, '1', TTL);
  })
  .add('raw INCR', async () => {
    await raw.incr('raw:counter');
  })
  .add('RedisStore.increment', async () => {
    await store.increment('counter', TTL);
  })
  .add('raw GET', async () => {
    await raw.get('raw:counter');
  })
  .add('RedisStore.get', async () => {
    await store.get('counter');
  });

await bench.run();
await store.close();
raw.destroy();
await redis.stop();

const mean = (name: string): number => {
  const task = bench.getTask(name);
  const result = task?.result as { latency?: { mean: number } } | undefined;
  return result?.latency?.mean ?? Number.NaN;
};
const pairs: Array<[string, string]> = [
  ['RedisStore.setIfAbsent', 'raw SET NX PX'],
  ['RedisStore.increment', 'raw INCR'],
  ['RedisStore.get', 'raw GET'],
];
const rows = pairs.flatMap(([ours, floor]) => [
  {
    task: floor,
    'mean µs': (mean(floor) * 1000).toFixed(1),
    'ops/s': Math.round(1000 / mean(floor)),
    'vs raw': '1.00×',
  },
  {
    task: ours,
    'mean µs': (mean(ours) * 1000).toFixed(1),
    'ops/s': Math.round(1000 / mean(ours)),
    'vs raw': `${(mean(ours) / mean(floor)).toFixed(2)}×`,
  },
]);
console.log(
  `Node ${process.version}, redis-server on 127.0.0.1, one connection each, sequential calls`,
);
console.table(rows);
