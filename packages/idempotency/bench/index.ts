// Per-request cost of idempotency: handle() around a trivial handler (first execution and
// replay) on MemoryStore, against calling the handler directly; run() on MemoryStore and, when
// REDIS_URL is set, on RedisStore (loopback round trips). Run: pnpm --filter @portcullis/idempotency bench
import { MemoryStore, type Store } from '@portcullis/core';
import { createIdempotency } from '@portcullis/idempotency';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const handler = async () =>
  new Response('{"id":"ord_1"}', { status: 201, headers: { 'content-type': 'application/json' } });
let n = 0;
const request = (key: string) =>
  new Request('https://api.example.com/v1/orders', {
    method: 'POST',
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    body: '{"sku":"A1","qty":2}',
  });

async function suite(name: string, store: Store): Promise<void> {
  const idempotency = createIdempotency({ store });
  await idempotency.handle(request('replayed'), handler);
  const bench = new Bench({ time: TIME_MS });
  bench
    .add('floor: handler(request) directly', async () => {
      await (await handler()).arrayBuffer();
      request('x');
    })
    .add(`${name}: handle() first execution`, async () => {
      await (await idempotency.handle(request(`k${n++}`), handler)).arrayBuffer();
    })
    .add(`${name}: handle() replay`, async () => {
      await (await idempotency.handle(request('replayed'), handler)).arrayBuffer();
    })
    .add(`${name}: run() first execution`, async () => {
      await idempotency.run(`job${n++}`, 'f', async () => 1);
    });
  await bench.run();
  const rate = (t: (typeof bench.tasks)[number]) =>
    (t.result as { throughput?: { mean: number } }).throughput?.mean ?? 0;
  const floor = rate(bench.tasks[0] as (typeof bench.tasks)[number]);
  for (const t of bench.tasks) {
    const hz = rate(t);
    process.stdout.write(
      `| ${t.name} | ${Math.round(hz).toLocaleString('en-US')} | ${(1e6 / hz).toFixed(1)} µs | ${(hz / floor).toFixed(2)}× |\n`,
    );
  }
}

process.stdout.write('| case | ops/s | per op | vs floor |\n| --- | ---: | ---: | ---: |\n');
await suite('MemoryStore', new MemoryStore({ maxEntries: 1_000_000 }));
if (process.env.REDIS_URL) {
  const { RedisStore } = await import('@portcullis/store-redis');
  const redis = await RedisStore.connect({
    url: process.env.REDIS_URL,
    keyPrefix: `bench:${Date.now()}:`,
  });
  await suite('RedisStore', redis);
  await redis.close();
}
