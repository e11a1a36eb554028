import { randomUUID } from 'node:crypto';
import { PostgresStore } from '@portcullis/store-postgres';
import { createSigner } from '@portcullis/webhooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../harness/ports.ts';
import { type PostgresPeer, startPostgres } from '../harness/postgres.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { type RunningProgram, startProgram } from '../harness/worker.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
let redis: RedisPeer;
let postgres: PostgresPeer;
let pool: pg.Pool;

beforeAll(async () => {
  [redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
  pool = new pg.Pool({ connectionString: postgres.url });
  pool.on('error', () => {});
  await pool.query('CREATE TABLE processed (prefix text, event_id text, replica text)');
  await pool.query(
    'CREATE TABLE failed_once (prefix text, event_id text, PRIMARY KEY (prefix, event_id))',
  );
});
afterAll(async () => {
  await pool?.end();
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Delivers until a 2xx, at most `tries` times: the sender's retry loop. */
async function deliver(
  port: number,
  headers: Record<string, string>,
  body: string,
  tries = 5,
): Promise<number> {
  let status = 0;
  for (let i = 0; i < tries; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/hooks`, {
      method: 'POST',
      headers,
      body,
    });
    status = response.status;
    await response.arrayBuffer();
    if (status >= 200 && status < 300) return status;
    await new Promise((r) => setTimeout(r, 50 * (i + 1)));
  }
  return status;
}

describe.each(['redis', 'postgres'] as const)(
  'webhook sender → two receiver replicas on a shared %s store',
  (kind) => {
    it('each event is processed exactly once although deliveries are duplicated, concurrent and retried', async () => {
      const prefix = `p${randomUUID().slice(0, 8)}`;
      if (kind === 'postgres') await new PostgresStore({ pool, table: `idem_${prefix}` }).migrate();
      const ports = [await freePort(), await freePort()];
      const replicas: RunningProgram[] = ports.map((port) =>
        startProgram(new URL('.', import.meta.url), 'receiver.ts', {
          PORT: String(port),
          SECRET,
          STORE: kind,
          REDIS_URL: redis.url,
          PG_URL: postgres.url,
          PREFIX: prefix,
        }),
      );
      try {
        await Promise.all(
          replicas.map((r, i) =>
            waitFor(`replica ${i}`, async () => r.output().includes('listening'), {
              timeoutMs: 20_000,
            }),
          ),
        );
        const signer = createSigner({ secrets: SECRET });
        const events = await Promise.all(
          Array.from({ length: 12 }, async (_, n) => {
            const body = JSON.stringify({ n, failOnce: n % 4 === 0 });
            const headers: Record<string, string> = {
              ...(await signer.sign({ body })),
              'content-type': 'application/json',
            };
            return { body, headers };
          }),
        );
        // Each event: delivered 3 times at once (to both replicas), then once more later.
        const statuses = await Promise.all(
          events.flatMap((e, n) =>
            [0, 1, 2].map((k) => deliver(ports[(n + k) % 2] as number, e.headers, e.body)),
          ),
        );
        const late = await Promise.all(
          events.map((e, n) => deliver(ports[n % 2] as number, e.headers, e.body)),
        );
        expect([...statuses, ...late].every((s) => s === 204)).toBe(true);
        const { rows } = await pool.query(
          'SELECT event_id, count(*)::int AS n FROM processed WHERE prefix = $1 GROUP BY event_id',
          [prefix],
        );
        expect(rows).toHaveLength(events.length);
        expect(rows.every((r) => r.n === 1)).toBe(true);
        // A forged delivery is refused before idempotency sees it.
        const forged = await fetch(`http://127.0.0.1:${ports[0]}/hooks`, {
          method: 'POST',
          headers: {
            ...events[0]?.headers,
            'webhook-signature': 'v1,AAAA',
          },
          body: events[0]?.body ?? '',
        });
        expect(forged.status).toBe(401);
      } finally {
        await Promise.all(replicas.map((r) => r.stop()));
      }
    });
  },
);
