// One process of the concurrency test: waits until every process is ready, then fires each job's
// `count` checks of its key at once through a Redis-backed limiter and prints how many were
// allowed, per job.
// Started by the harness's runWorker(), which sends a LimitWorkerInput as JSON on stdin.
import { createRateLimiter, RedisRateLimitStore } from '@portcullis/ratelimit';
import { readWorkerInput } from '../harness/worker.ts';
import { connectClient } from './redisClient.ts';

/** One limiter and key to hammer. */
export interface LimitJob {
  key: string;
  count: number;
  keyPrefix: string;
  rules: { name: string; limit: number; windowMs: number; algorithm: 'gcra' | 'sliding-window' }[];
}

export interface LimitWorkerInput {
  url: string;
  /** A Redis key each worker increments when ready; all start once it reaches `processes`. */
  barrier: string;
  processes: number;
  jobs: LimitJob[];
}

export interface LimitWorkerOutput {
  allowed: number;
  refused: number;
  degraded: number;
}

const input = await readWorkerInput<LimitWorkerInput>();
const client = await connectClient(input.url);
const store = new RedisRateLimitStore({ client });
const limiters = input.jobs.map((job) =>
  createRateLimiter({
    rules: job.rules,
    keyPrefix: job.keyPrefix,
    store,
    storeTimeoutMs: 5000, // this test is about exactness, not about a slow Redis
  }),
);
// Start together: every process is connected and has its limiters before any check is sent.
await client.incr(input.barrier);
const deadline = Date.now() + 20_000;
while (Number(await client.get(input.barrier)) < input.processes) {
  if (Date.now() > deadline) throw new Error('the other workers never got ready');
  await new Promise((r) => setTimeout(r, 5));
}
const all = await Promise.all(
  input.jobs.map((job, i) =>
    Promise.all(Array.from({ length: job.count }, () => limiters[i]?.check(job.key))),
  ),
);
const out: LimitWorkerOutput[] = all.map((decisions) => ({
  allowed: decisions.filter((d) => d?.allowed).length,
  refused: decisions.filter((d) => !d?.allowed).length,
  degraded: decisions.filter((d) => d?.degraded !== false).length,
}));
await client.close();
process.stdout.write(JSON.stringify(out));
