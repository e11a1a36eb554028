// Several worker processes on one outbox: no message is ever in flight twice at once, every one is
// delivered; a worker SIGKILLed mid-delivery loses its claim only until the lease runs out.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { waitFor } from '../harness/ports.ts';
import { inTransaction, makeSender, startReceiver, usePostgres } from './support.ts';

const db = usePostgres();

function startWorker(schema: string, id: string, leaseMs: number): ChildProcess {
  const script = fileURLToPath(new URL('./worker.ts', import.meta.url));
  return spawn(process.execPath, ['--conditions=@portcullis/source', script], {
    cwd: fileURLToPath(new URL('.', import.meta.url)),
    env: {
      PATH: process.env.PATH ?? '',
      PG_URL: db.url,
      SCHEMA: schema,
      LEASE_MS: String(leaseMs),
      WORKER_ID: id,
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

it('three worker processes: every message delivered, none in flight twice at once', async () => {
  const inFlight = new Map<string, number>();
  const counts = new Map<string, number>();
  let overlaps = 0;
  const receiver = await startReceiver(async (_n, request) => {
    const id = request.headers['webhook-id'] as string;
    const now = (inFlight.get(id) ?? 0) + 1;
    inFlight.set(id, now);
    if (now > 1) overlaps++;
    counts.set(id, (counts.get(id) ?? 0) + 1);
    await new Promise((r) => setTimeout(r, 10));
    inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
    return { status: 204 };
  });
  const f = await makeSender(db.pool);
  const workers: ChildProcess[] = [];
  try {
    await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook', maxConcurrency: 16 });
    const ids = await inTransaction(db.pool, async (c) => {
      const out: string[] = [];
      for (let i = 0; i < 60; i++)
        out.push((await f.sender.enqueue(c, { type: 't', payload: i })).id);
      return out;
    });
    for (const id of ['w1', 'w2', 'w3']) workers.push(startWorker(f.schema, id, 5_000));
    await waitFor(
      'all 60 delivered',
      async () => {
        const { rows } = await db.pool.query(
          `SELECT count(*)::int AS n FROM "${f.schema}".deliveries WHERE status = 'succeeded'`,
        );
        return rows[0].n === 60;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    expect(overlaps).toBe(0);
    expect([...counts.keys()].sort()).toEqual([...ids].sort());
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Which workers took part is not asserted: on a loaded machine the first process to start can
    // deliver all 60 before the others are up. What is asserted is exclusivity and exactly once.
    const { rows } = await db.pool.query(`SELECT DISTINCT worker FROM "${f.schema}".attempts`);
    expect(rows.every((r) => ['w1', 'w2', 'w3'].includes(r.worker))).toBe(true);
  } finally {
    await Promise.all(workers.map(stopWorker));
    await f.close();
    await receiver.close();
  }
});

it('a worker SIGKILLed mid-delivery: its claim returns after the lease, then the message is delivered', async () => {
  const arrivals: number[] = [];
  const receiver = await startReceiver(async (n) => {
    arrivals.push(Date.now());
    if (n === 0) await new Promise(() => {}); // hangs: the worker dies waiting
    return { status: 200 };
  });
  const f = await makeSender(db.pool);
  const leaseMs = 1_500;
  let killed: ChildProcess | undefined;
  let rescuer: ChildProcess | undefined;
  try {
    await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
    const { id } = await inTransaction(db.pool, (c) =>
      f.sender.enqueue(c, { type: 't', payload: 1 }),
    );
    killed = startWorker(f.schema, 'doomed', leaseMs);
    await waitFor('the first request', async () => arrivals.length === 1, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    const exited = new Promise((r) => killed?.once('exit', r));
    killed.kill('SIGKILL');
    await exited;
    rescuer = startWorker(f.schema, 'rescuer', leaseMs);
    await waitFor('the retry', async () => arrivals.length === 2, {
      timeoutMs: 10_000,
      intervalMs: 10,
    });
    expect((arrivals[1] as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(leaseMs - 100);
    await waitFor(
      'recorded',
      async () => (await f.sender.listDeliveries(id))[0]?.status === 'succeeded',
      {
        timeoutMs: 5_000,
        intervalMs: 20,
      },
    );
    const attempts = await f.sender.listAttempts({ messageId: id });
    expect(attempts.map((a) => [a.worker, a.attempt, a.outcome])).toEqual([
      ['rescuer', 2, 'succeeded'],
    ]);
  } finally {
    if (killed && killed.exitCode === null && killed.signalCode === null) killed.kill('SIGKILL');
    if (rescuer) await stopWorker(rescuer);
    await f.close();
    await receiver.close();
  }
});
