// End to end: the outbox → two receiver replicas (test/idempotency/receiver.ts: the webhooks
// verifier, then @portcullis/idempotency on a shared PostgreSQL store). Every message goes to both
// replicas (two endpoints), some fail their first processing (the sender retries), some are
// resent by hand: every event's handler still runs exactly once.
import { randomUUID } from 'node:crypto';
import { PostgresStore } from '@portcullis/store-postgres';
import { expect, it } from 'vitest';
import { freePort, waitFor } from '../harness/ports.ts';
import { type RunningProgram, startProgram } from '../harness/worker.ts';
import { inTransaction, makeSender, SECRET, usePostgres } from './support.ts';

const db = usePostgres(async (p) => {
  await p.query('CREATE TABLE processed (prefix text, event_id text, replica text)');
  await p.query(
    'CREATE TABLE failed_once (prefix text, event_id text, PRIMARY KEY (prefix, event_id))',
  );
});

it('each event is processed exactly once although deliveries were retried and duplicated', async () => {
  const prefix = `e${randomUUID().slice(0, 8)}`;
  await new PostgresStore({ pool: db.pool, table: `idem_${prefix}` }).migrate();
  const ports = [await freePort(), await freePort()];
  const replicas: RunningProgram[] = ports.map((port) =>
    startProgram(new URL('../idempotency/', import.meta.url), 'receiver.ts', {
      PORT: String(port),
      SECRET,
      STORE: 'postgres',
      PG_URL: db.url,
      PREFIX: prefix,
    }),
  );
  // The breaker is not under test here: two replicas racing on one id answer 409 to each other,
  // and a run of those must not park an endpoint for 30 s of clock.
  const f = await makeSender(
    db.pool,
    { schedule: [0, 1000, 1000, 1000, 1000, 1000, 1000, 1000], breakerFailures: 1000 },
    Date.now(),
  );
  try {
    await Promise.all(
      replicas.map((r, i) =>
        waitFor(`replica ${i}`, async () => r.output().includes('listening'), {
          timeoutMs: 15_000,
        }),
      ),
    );
    for (const port of ports) {
      await f.sender.addEndpoint({
        id: `replica-${port}`,
        url: `http://127.0.0.1:${port}/hooks`,
        secretRef: 'hook',
      });
    }
    const ids = await inTransaction(db.pool, async (c) => {
      const out: string[] = [];
      for (let n = 0; n < 20; n++) {
        out.push(
          (await f.sender.enqueue(c, { type: 'order.paid', payload: { n, failOnce: n % 3 === 0 } }))
            .id,
        );
      }
      return out;
    });
    const unsettled = async () =>
      (
        await db.pool.query(
          `SELECT status, attempts, last_status, last_error FROM "${f.schema}".deliveries WHERE status <> 'succeeded'`,
        )
      ).rows;
    const settled = async () => (await unsettled()).length === 0;
    // Deliver until nothing is left (a 500 or a 409 from the replica busy with the same id is
    // retried a clock-second later), a bounded number of rounds.
    const drain = async () => {
      for (let round = 0; round < 20 && !(await settled()); round++) {
        while ((await f.sender.runOnce()) > 0) {}
        f.clock.advance(1000);
      }
    };
    await drain();
    expect(await unsettled()).toEqual([]);
    // Redeliver some, to one replica and to both: the stored result answers, nothing runs again.
    for (const id of ids.slice(0, 5)) await f.sender.resend(id);
    await f.sender.resend(ids[7] as string, `replica-${ports[0]}`);
    await drain();
    expect(await unsettled()).toEqual([]);

    const { rows } = await db.pool.query(
      'SELECT event_id, count(*)::int AS n FROM processed WHERE prefix = $1 GROUP BY event_id',
      [prefix],
    );
    expect(rows.map((r) => r.event_id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const attempts = await f.sender.listAttempts({ limit: 1000 });
    expect(attempts.filter((a) => a.outcome === 'failed').length).toBeGreaterThanOrEqual(7); // retried
    expect(attempts.length).toBeGreaterThanOrEqual(20 * 2 + 7 + 11); // duplicated
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await f.close();
  }
});
