// One command, one run: a cached get() against the floors (a plain Map.get, the same behind an
// async function) and a peer cache (lru-cache with a TTL); then provider calls per 10,000 reads
// from 100 concurrent callers over simulated time with the default TTL.
// Run: pnpm --filter @portcullis/secrets bench   (numbers are noisy on a shared machine)
import { ManualClock, redacted } from '@portcullis/core';
import {
  createSecretsCache,
  DEFAULTS,
  MemoryProvider,
  type SecretProvider,
} from '@portcullis/secrets';
import { LRUCache } from 'lru-cache';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 400);

async function hotPath(): Promise<void> {
  const provider = new MemoryProvider({ secrets: { api: 'sk_live_bench' } });
  const cache = createSecretsCache(provider, { ttlMs: 3_600_000 });
  await cache.get('api');
  const map = new Map([['api', redacted('sk_live_bench')]]);
  const lru = new LRUCache<string, ReturnType<typeof redacted<string>>>({
    max: 100,
    ttl: 3_600_000,
  });
  lru.set('api', redacted('sk_live_bench'));
  const asyncMap = async (name: string) => map.get(name);
  let sink = 0;
  const bench = new Bench({ time: TIME_MS, warmup: true });
  bench
    .add('Map.get (sync floor)', () => {
      sink += map.get('api') === undefined ? 0 : 1;
    })
    .add('await async Map.get (async floor)', async () => {
      sink += (await asyncMap('api')) === undefined ? 0 : 1;
    })
    .add('await lru-cache get (ttl)', async () => {
      sink += (await Promise.resolve(lru.get('api'))) === undefined ? 0 : 1;
    })
    .add('await cache.get (@portcullis/secrets)', async () => {
      sink += (await cache.get('api')) === undefined ? 0 : 1;
    });
  await bench.run();
  const hz = (name: string): number => {
    const result = bench.tasks.find((t) => t.name === name)?.result as
      | { throughput?: { mean: number } }
      | undefined;
    return result?.throughput?.mean ?? Number.NaN;
  };
  const sync = hz('Map.get (sync floor)');
  const floor = hz('await async Map.get (async floor)');
  console.log('\n| operation | ops/s | time per op vs sync Map.get | vs awaited Map.get |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const t of bench.tasks) {
    const h = hz(t.name);
    console.log(
      `| ${t.name} | ${Math.round(h).toLocaleString('en-US')} | ${(sync / h).toFixed(2)}× | ${(floor / h).toFixed(2)}× |`,
    );
  }
  await cache.close();
  if (sink < 0) console.log(sink);
}

/** Counts calls, answers at once. */
function counting(inner: SecretProvider) {
  const calls = { get: 0, currentVersionId: 0 };
  const provider: SecretProvider = {
    kind: 'counting',
    get: (name, selector) => {
      calls.get++;
      return inner.get(name, selector);
    },
    currentVersionId: async (name) => {
      calls.currentVersionId++;
      return (await inner.get(name)).versionId;
    },
  };
  return { provider, calls };
}

async function providerCalls(): Promise<void> {
  const ttl = DEFAULTS.cache.ttlMs;
  const clock = new ManualClock(0);
  const { provider, calls } = counting(new MemoryProvider({ clock, secrets: { a: 'x', b: 'y' } }));
  const cache = createSecretsCache(provider, { clock });
  // 100 callers × 100 reads each = 10,000 reads per secret, spread evenly over 10 TTLs.
  const spanMs = 10 * ttl;
  const rounds = 100;
  for (let round = 0; round < rounds; round++) {
    await Promise.all(Array.from({ length: 100 }, (_, i) => cache.get(i % 2 === 0 ? 'a' : 'b')));
    await Promise.all(Array.from({ length: 100 }, (_, i) => cache.get(i % 2 === 0 ? 'b' : 'a')));
    for (let step = 0; step < 10; step++) {
      clock.advance(spanMs / rounds / 10);
      await new Promise((r) => setImmediate(r));
    }
  }
  const perTtl = (calls.get + calls.currentVersionId) / 2 / (spanMs / ttl);
  console.log(
    `\n| provider calls per secret, 10,000 reads each from 100 concurrent callers over 10 TTLs (TTL ${ttl} ms) | value fetches | version checks | calls per TTL per secret |`,
  );
  console.log('| --- | ---: | ---: | ---: |');
  console.log(
    `| default options | ${calls.get / 2} | ${calls.currentVersionId / 2} | ${perTtl.toFixed(2)} |`,
  );
  await cache.close();
}

await hotPath();
await providerCalls();
