// One command, one run: per-call overhead of the pipeline on an async no-op against a direct
// call, raw cockatiel wrap(retry, breaker, timeout, bulkhead) and opossum; then resilientFetch
// throughput against raw fetch on a loopback server. Run: pnpm --filter @portcullis/resilience bench
// The machine is shared: numbers are noisy, compare ratios within one run.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { noopTelemetry } from '@portcullis/core';
import { createPipeline, resilientFetch } from '@portcullis/resilience';
import {
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import { Bench } from 'tinybench';

const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 500);
const HTTP_MS = Number(process.env.BENCH_HTTP_MS ?? 1000);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 4);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const noop = async (): Promise<number> => 1;

async function overhead(): Promise<{ name: string; ns: number }[]> {
  const standard = createPipeline({ telemetry: noopTelemetry });
  const allOn = createPipeline({
    telemetry: noopTelemetry,
    rateLimit: { ratePerSec: 1e6, burst: 1e6 },
    adaptiveThrottling: true,
  });
  const withOtelApi = createPipeline(); // @opentelemetry/api present, no SDK registered
  const cockatiel = wrap(
    retry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff() }),
    circuitBreaker(handleAll, { halfOpenAfter: 5000, breaker: new ConsecutiveBreaker(10) }),
    timeout(10_000, TimeoutStrategy.Aggressive),
    bulkhead(1000, 0),
  );
  const opossum = new CircuitBreaker(noop, { timeout: 10_000 });
  // resilientFetch's own cost, with a fetch that answers at once (no network noise).
  const answer = new Response(null, { status: 204 });
  const constantFetch: typeof fetch = async () => answer;
  const wrappedConstant = resilientFetch(constantFetch, { telemetry: noopTelemetry });

  const bench = new Bench({ time: TIME_MS, warmupTime: 300 });
  bench
    .add('direct call (floor)', () => noop())
    .add('createPipeline() standard, noop telemetry', () => standard.execute(noop))
    .add('createPipeline() all policies on', () => allOn.execute(noop))
    .add('createPipeline() standard, OTel API (no SDK)', () => withOtelApi.execute(noop))
    .add('cockatiel wrap(retry, breaker, timeout, bulkhead)', () => cockatiel.execute(noop))
    .add('opossum fire()', () => opossum.fire())
    .add('constant fetch (floor for the next row)', () => constantFetch('http://127.0.0.1:9/x'))
    .add('resilientFetch over the constant fetch', () => wrappedConstant('http://127.0.0.1:9/x'));
  await bench.run();
  opossum.shutdown();
  return bench.tasks.map((task) => {
    const result = task.result as {
      state: string;
      latency?: { p50?: number; mean: number };
      error?: unknown;
    };
    if (result.state !== 'completed' || result.latency === undefined) {
      throw new Error(`${task.name} did not complete`, { cause: result.error });
    }
    // the median: on a shared machine the mean is dominated by the scheduler's stalls
    return { name: task.name, ns: (result.latency.p50 ?? result.latency.mean) * 1e6 };
  });
}

async function throughput(): Promise<{ name: string; rps: number }[]> {
  const body = JSON.stringify({ ok: true, items: Array.from({ length: 20 }, (_, i) => i) });
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const wrapped = resilientFetch(fetch, { telemetry: noopTelemetry });
  const run = async (name: string, f: typeof fetch): Promise<{ name: string; rps: number }> => {
    const until = Date.now() + HTTP_MS;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (Date.now() < until) {
        await (await f(url)).arrayBuffer();
        done++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    return { name, rps: done / (HTTP_MS / 1000) };
  };
  await run('warm-up', fetch);
  // Alternate to spread a shared machine's noise over all three; report the medians.
  const withTimeout: typeof fetch = (input, init) =>
    fetch(input, { ...init, signal: AbortSignal.timeout(10_000) });
  const contenders: [string, typeof fetch][] = [
    ['raw fetch', fetch],
    ['raw fetch + AbortSignal.timeout(10 s)', withTimeout],
    ['resilientFetch, standard pipeline', wrapped],
  ];
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < PAIRS; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const k = (i + round) % contenders.length;
      const [name, f] = contenders[k] as [string, typeof fetch];
      (samples[k] as number[]).push((await run(name, f)).rps);
    }
  }
  const rows = contenders.map(([name], k) => ({
    name: `${name} (median of ${PAIRS})`,
    rps: median(samples[k] as number[]),
  }));
  await new Promise<void>((r) => server.close(() => r()));
  return rows;
}

const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 0 });
const rows = await overhead();
const floor = rows[0]?.ns ?? 1;
const raw = rows.find((r) => r.name.startsWith('cockatiel'))?.ns ?? 1;
console.log(`node ${process.version}, ${TIME_MS} ms per task (noisy shared machine)\n`);
console.log('| async no-op through | ns/call (median) | added vs direct (µs) | × cockatiel |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.name} | ${fmt(r.ns)} | ${((r.ns - floor) / 1000).toFixed(2)} | ${(r.ns / raw).toFixed(2)} |`,
  );
}
const http = await throughput();
const base = http[0]?.rps ?? 1;
const ours = http[2]?.rps ?? 0;
console.log('\n| loopback GET, 16 in flight | req/s |');
console.log('| --- | ---: |');
for (const r of http) console.log(`| ${r.name} | ${fmt(r.rps)} |`);
console.log(
  `\nresilientFetch / raw fetch: ${(ours / base).toFixed(3)}×; / raw fetch with a timeout signal: ${(ours / (http[1]?.rps ?? 1)).toFixed(3)}×`,
);
