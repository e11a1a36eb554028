// One command, one run (a throwaway PostgreSQL and a loopback receiver): the enqueue rate inside a
// transaction against the same transaction without the outbox write (the floor), and delivery
// throughput of 4 workers through the outbox against signing + fetch in a plain loop.
// Run: pnpm --filter @portcullis/webhook-sender bench. Numbers are noisy on a shared machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSecureFetch } from '@portcullis/egress';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import { createWebhookSender, type WebhookSender } from '@portcullis/webhook-sender';
import { createSigner } from '@portcullis/webhooks';
import pg from 'pg';
import { Bench } from 'tinybench';
import { startPostgres } from '../../../test/harness/postgres.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const TIME_MS = Number(process.env.BENCH_TIME_MS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 400);

const postgres = await startPostgres();
const pool = new pg.Pool({ connectionString: postgres.url, max: 16 });
pool.on('error', () => {});
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(204).end());
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
const fetch = createSecureFetch({
  allowHosts: ['127.0.0.1:*'],
  allowAddresses: ['127.0.0.1'],
  allowLoopbackHttp: true,
  maxRedirects: 0,
});
const secrets = createSecretsCache(new MemoryProvider({ secrets: { hook: SECRET } }));
const make = (workerId: string): WebhookSender =>
  createWebhookSender({ pool, secrets, fetch, workerId, pollIntervalMs: 5, concurrency: 8 });

try {
  const sender = make('enqueue');
  await sender.migrate();
  await pool.query('CREATE TABLE orders (id serial PRIMARY KEY, total int)');
  await sender.addEndpoint({ url, secretRef: 'hook', maxConcurrency: 64 });
  const payload = { type: 'order.created', data: { id: 'ord_1', total: 4200, lines: [1, 2, 3] } };

  // The outbox's SQL written by hand, without the package (ids, checks, telemetry): what the
  // rows themselves cost the transaction.
  const rawOutbox = `WITH m AS (
      INSERT INTO webhook_sender.messages (id, event_type, payload, sealed, subject, created_at)
      VALUES ($1, $2, $3, false, NULL, now()) RETURNING id
    ) INSERT INTO webhook_sender.deliveries (message_id, endpoint_id, status, attempts, next_attempt_at, updated_at)
      SELECT m.id, e.id, 'pending', 0, now(), now() FROM m CROSS JOIN webhook_sender.endpoints e
      WHERE e.disabled_at IS NULL`;
  let rawId = 0;
  const body = Buffer.from(JSON.stringify(payload));
  const inTx = async (withOutbox: boolean | 'raw') => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('INSERT INTO orders (total) VALUES ($1)', [4200]);
      if (withOutbox === 'raw')
        await client.query(rawOutbox, [`msg_raw${rawId++}`, 'order.created', body]);
      else if (withOutbox) await sender.enqueue(client, { type: 'order.created', payload });
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const bench = new Bench({ time: TIME_MS, warmup: true });
  bench.add('business tx only (floor)', () => inTx(false));
  bench.add('business tx + the same rows by hand (raw SQL)', () => inTx('raw'));
  bench.add('business tx + enqueue', () => inTx(true));
  await bench.run();
  const hzOf = (t: (typeof bench.tasks)[number] | undefined): number =>
    (t?.result as { throughput?: { mean: number } } | undefined)?.throughput?.mean ?? 0;
  const floor = hzOf(bench.tasks[0]) || 1;
  const rows = bench.tasks.map((t) => {
    const hz = hzOf(t);
    return { what: t.name, 'ops/s': Math.round(hz), 'vs floor': (hz / floor).toFixed(2) };
  });
  await pool.query('TRUNCATE webhook_sender.messages CASCADE');

  // Delivery: MESSAGES through the outbox with 4 workers.
  const seed = await pool.connect(); // enqueue refuses a client outside a transaction
  await seed.query('BEGIN');
  for (let i = 0; i < MESSAGES; i++) await sender.enqueue(seed, { type: 'order.created', payload });
  await seed.query('COMMIT');
  seed.release();
  const workers = ['w1', 'w2', 'w3', 'w4'].map(make);
  const started = performance.now();
  for (const w of workers) w.start();
  for (;;) {
    const { rows: left } = await pool.query(
      "SELECT count(*)::int AS n FROM webhook_sender.deliveries WHERE status <> 'succeeded'",
    );
    if (left[0]?.n === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const outboxRate = MESSAGES / ((performance.now() - started) / 1000);
  await Promise.all(workers.map((w) => w.stop()));

  // The same messages signed and sent straight from a loop (no durability, no retries).
  const signer = createSigner({ secrets: SECRET });
  const text = JSON.stringify(payload);
  const directStart = performance.now();
  for (let i = 0; i < MESSAGES; i++) {
    const headers = await signer.sign({ body: text });
    const response = await fetch(url, { method: 'POST', headers, body: text, redirect: 'manual' });
    await response.arrayBuffer();
  }
  const directRate = MESSAGES / ((performance.now() - directStart) / 1000);
  rows.push(
    {
      what: 'direct sign + fetch loop (floor)',
      'ops/s': Math.round(directRate),
      'vs floor': '1.00',
    },
    {
      what: 'outbox, 4 workers (claim, sign, send, record)',
      'ops/s': Math.round(outboxRate),
      'vs floor': (outboxRate / directRate).toFixed(2),
    },
  );
  console.table(rows);
} finally {
  await fetch.close();
  await secrets.close();
  await pool.end();
  server.close();
  await postgres.stop();
}
