// Verifications per second: cached (the hot path), uncached (HMAC + repository lookup + compare)
// and refused by checksum, against the raw floor of one HMAC-SHA-256 + a Map lookup +
// timingSafeEqual. Run: pnpm --filter @portcullis/apikeys bench
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createApiKeys, MemoryKeyRepository } from '@portcullis/apikeys';
import { reveal } from '@portcullis/core';
import { Bench } from 'tinybench';

const PEPPER = 'bench-pepper-that-is-at-least-32-bytes-long';
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);

const repository = new MemoryKeyRepository();
const cached = createApiKeys({ prefix: 'pc_live', pepper: PEPPER, repository });
const uncached = createApiKeys({
  prefix: 'pc_live',
  pepper: PEPPER,
  repository,
  cacheTtlMs: 0,
  lastUsedResolutionMs: 3_600_000,
});
const key = reveal((await cached.issue({ owner: 'bench', scopes: ['read'] })).key);
const typo = `${key.slice(0, 30)}${key[30] === 'a' ? 'b' : 'a'}${key.slice(31)}`;
const stored = new Map([[key.slice(8, 24), createHmac('sha256', PEPPER).update(key).digest()]]);

const bench = new Bench({ time: TIME_MS });
bench
  .add('floor: HMAC-SHA-256 + Map.get + timingSafeEqual', () => {
    const digest = createHmac('sha256', PEPPER).update(key).digest();
    const expected = stored.get(key.slice(8, 24));
    if (!expected || !timingSafeEqual(digest, expected)) throw new Error('mismatch');
  })
  .add('verify (cached result)', async () => {
    await cached.verify(key, ['read']);
  })
  .add('verify (no cache: memory repository lookup)', async () => {
    await uncached.verify(key, ['read']);
  })
  .add('verify refused by checksum (no lookup)', async () => {
    await cached.verify(typo).catch(() => {});
  });
await bench.run();
/** Mean operations per second of a completed task (a task that failed stops the bench). */
function hz(task: (typeof bench.tasks)[number] | undefined): number {
  const result = task?.result as
    | { state?: string; error?: unknown; throughput?: { mean: number } }
    | undefined;
  if (result?.state !== 'completed' || result.throughput === undefined)
    throw new Error(`${task?.name} did not complete`, { cause: result?.error });
  return result.throughput.mean;
}
const floor = hz(bench.tasks[0]);
const rows = bench.tasks.map((t) => {
  const rate = hz(t);
  return `| ${t.name} | ${Math.round(rate).toLocaleString('en-US')} | ${(rate / floor).toFixed(2)}× |`;
});
process.stdout.write(
  ['| case | verifications/s | vs floor |', '| --- | ---: | ---: |', ...rows].join('\n') + '\n',
);
