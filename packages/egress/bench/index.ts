// One command, one run: GET of a small JSON body from a loopback server (in a child process, so
// client and server do not share one thread), raw undici `fetch` with a plain Agent against the
// egress fetch (allow-list, connect-time address check, size cap, manual redirects), over http
// and https, sequential (throughput and p99 latency) and 16 concurrent (throughput). Short
// batches alternate raw/egress so load from elsewhere hits both alike: the machine is shared,
// the absolute numbers are noisy, the ratios less so.
// Run: pnpm --filter @portcullis/egress bench
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createSecureFetch } from '@portcullis/egress';
import { Agent, fetch as undiciFetch } from 'undici';
import { makeTestPki } from '../../../test/harness/tls.ts';

const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 30);
const CONCURRENCY = 16;

const SERVER = `
const { createServer } = require(process.argv[1] === 'https' ? 'node:https' : 'node:http');
const body = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', amount: 4200, items: [1, 2, 3] });
const opts = process.argv[1] === 'https' ? { cert: process.env.CERT, key: process.env.KEY } : {};
const server = createServer(opts, (req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

async function startServer(
  scheme: 'http' | 'https',
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER, scheme], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  return { url: `${scheme}://127.0.0.1:${chunk.toString().trim()}/`, child };
}

type Get = () => Promise<void>;

/** One batch of `n` sequential calls: each call's latency (ms) appended to `latencies`. */
async function sequentialBatch(get: Get, n: number, latencies: number[]): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await get();
    latencies.push(performance.now() - t);
  }
  return performance.now() - start;
}

/** `CONCURRENCY` workers making `n` calls each; the batch's wall time (ms). */
async function concurrentBatch(get: Get, n: number): Promise<number> {
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = 0; i < n; i++) await get();
    }),
  );
  return performance.now() - start;
}

function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] as number;
}

interface Row {
  scheme: string;
  name: string;
  hz: number;
  p99Ms: number;
  concurrentHz: number;
}

async function suite(scheme: 'http' | 'https', url: string, ca: string): Promise<Row[]> {
  const agent = new Agent({ connect: scheme === 'https' ? { ca } : {} });
  const secureFetch = createSecureFetch({
    allowHosts: ['127.0.0.1:*'],
    allowAddresses: ['127.0.0.1'],
    allowLoopbackHttp: true,
    tls: { ca },
  });
  const gets: [string, Get][] = [
    [
      'raw undici fetch',
      async () => void (await (await undiciFetch(url, { dispatcher: agent })).arrayBuffer()),
    ],
    ['egress fetch', async () => void (await (await secureFetch(url)).arrayBuffer())],
  ];
  const stats = gets.map(() => ({
    seqMs: 0,
    seqN: 0,
    latencies: [] as number[],
    concMs: 0,
    concN: 0,
  }));
  // Warm-up: connections open, JIT warm.
  for (const [, get] of gets) await concurrentBatch(get, 20);
  // Short batches, alternating, so a burst of load from elsewhere hits both clients alike.
  for (let batch = 0; batch < BATCHES; batch++) {
    for (const [i, [, get]] of gets.entries()) {
      const st = stats[i] as (typeof stats)[number];
      st.seqMs += await sequentialBatch(get, BATCH, st.latencies);
      st.seqN += BATCH;
      st.concMs += await concurrentBatch(get, Math.ceil(BATCH / CONCURRENCY));
      st.concN += Math.ceil(BATCH / CONCURRENCY) * CONCURRENCY;
    }
  }
  await Promise.all([agent.close(), secureFetch.close()]);
  return gets.map(([name], i) => {
    const st = stats[i] as (typeof stats)[number];
    return {
      scheme,
      name,
      hz: (st.seqN * 1000) / st.seqMs,
      p99Ms: percentile(st.latencies, 99),
      concurrentHz: (st.concN * 1000) / st.concMs,
    };
  });
}

const pki = await makeTestPki();
const servers = await Promise.all([
  startServer('http', {}),
  startServer('https', { CERT: pki.server.cert, KEY: pki.server.key }),
]);
try {
  const rows = [
    ...(await suite('http', servers[0].url, pki.ca)),
    ...(await suite('https', servers[1].url, pki.ca)),
  ];
  const lines = [
    '| scheme | client | sequential ops/s | × raw | p99 ms | 16 concurrent ops/s | × raw |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const raw = rows.find((r) => r.scheme === row.scheme && r.name === 'raw undici fetch') as Row;
    lines.push(
      `| ${row.scheme} | ${row.name} | ${Math.round(row.hz)} | ${(row.hz / raw.hz).toFixed(2)} | ${row.p99Ms.toFixed(3)} | ${Math.round(row.concurrentHz)} | ${(row.concurrentHz / raw.concurrentHz).toFixed(2)} |`,
    );
  }
  console.log(
    `Node ${process.version}, ${BATCHES} alternating batches of ${BATCH} calls per client\n`,
  );
  console.log(lines.join('\n'));
} finally {
  for (const { child } of servers) child.kill();
}
