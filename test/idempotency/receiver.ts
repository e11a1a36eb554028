// One replica of a webhook receiver: verifies each delivery (replay store off), then processes
// it once through @portcullis/idempotency on the shared store (Redis or PostgreSQL). Processing
// writes a row to PostgreSQL — so the test can count how often each event really ran — and fails
// the first time for events whose payload says `failOnce` (the sender then retries).
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createIdempotency } from '@portcullis/idempotency';
import { PostgresStore } from '@portcullis/store-postgres';
import { RedisStore } from '@portcullis/store-redis';
import { createVerifier, isWebhookError, readIncomingMessage } from '@portcullis/webhooks';
import pg from 'pg';

const { PORT, SECRET, STORE, REDIS_URL, PG_URL, PREFIX } = process.env as Record<string, string>;
const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
pool.on('error', () => {});
const store =
  STORE === 'redis'
    ? await RedisStore.connect({ url: REDIS_URL as string, keyPrefix: PREFIX as string })
    : new PostgresStore({ pool, table: `idem_${PREFIX}` });
const verifier = createVerifier({ secrets: SECRET as string, store: false });
const idempotency = createIdempotency({ store, ttlMs: 3_600_000, lockTtlMs: 10_000 });

const server = createServer(async (req, res) => {
  try {
    const { headers, body } = await readIncomingMessage(req);
    const { id } = await verifier.verify({ headers, body });
    const event = JSON.parse(Buffer.from(body).toString('utf8')) as {
      n: number;
      failOnce: boolean;
    };
    const hash = createHash('sha256').update(body).digest('base64url');
    await idempotency.run(`hook:${PREFIX}:${id}`, hash, async () => {
      if (event.failOnce) {
        const { rowCount } = await pool.query(
          'INSERT INTO failed_once (prefix, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [PREFIX, id],
        );
        if (rowCount === 1) throw new Error('transient failure, first attempt');
      }
      await pool.query('INSERT INTO processed (prefix, event_id, replica) VALUES ($1, $2, $3)', [
        PREFIX,
        id,
        PORT,
      ]);
      return { processed: true };
    });
    res.writeHead(204).end();
  } catch (error) {
    const status = isWebhookError(error)
      ? error.status
      : ((error as { status?: number }).status ?? 500);
    res.writeHead(status ?? 500).end();
  }
});
server.listen(Number(PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.once('SIGTERM', () => {
  server.close();
  void pool.end();
  process.exit(0);
});
