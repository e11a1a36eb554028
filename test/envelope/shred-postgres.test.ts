// Crypto-shredding end to end, the way @portcullis/webhook-sender uses the envelope: payloads
// sealed through the PayloadCipher contract (context { purpose, messageId, eventType, subject })
// into a bytea column of a real PostgreSQL outbox-like table. Shredding one subject's key makes
// every one of their rows unreadable (typed error); the other subject's rows still open.
import { randomBytes } from 'node:crypto';
import {
  createEnvelope,
  isEnvelopeError,
  KeyringKek,
  MemorySubjectKeyStore,
  type PayloadCipher,
} from '@portcullis/envelope';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresPeer, startPostgres } from '../harness/postgres.ts';

let peer: PostgresPeer;
let pool: pg.Pool;
beforeAll(async () => {
  peer = await startPostgres();
  pool = new pg.Pool({ connectionString: peer.url, max: 2 });
  await pool.query(`CREATE TABLE outbox (
    id text PRIMARY KEY, event_type text NOT NULL, subject text, payload bytea NOT NULL)`);
});
afterAll(async () => {
  await pool?.end();
  await peer?.stop();
});

const contextOf = (row: { id: string; event_type: string; subject: string | null }) => ({
  purpose: 'webhook-outbox',
  messageId: row.id,
  eventType: row.event_type,
  ...(row.subject === null ? {} : { subject: row.subject }),
});

describe('crypto-shredding over a PostgreSQL outbox', () => {
  it('after a subject is shredded, their rows no longer open; the other subject and unkeyed rows still do', async () => {
    const subjects = new MemorySubjectKeyStore();
    const kek = new KeyringKek({ keys: [{ id: 'kek-2026', key: randomBytes(32) }] });
    const cipher: PayloadCipher & { shred(subject: string): Promise<void> } = createEnvelope({
      kek,
      subjects,
    });
    const rows = [
      ...[1, 2, 3].map((n) => ({
        id: `msg_a${n}`,
        event_type: 'user.updated',
        subject: 'user-alice',
        body: `{"email":"alice${n}@example.com"}`,
      })),
      ...[1, 2].map((n) => ({
        id: `msg_b${n}`,
        event_type: 'user.updated',
        subject: 'user-bob',
        body: `{"email":"bob${n}@example.com"}`,
      })),
      { id: 'msg_n1', event_type: 'system.ping', subject: null, body: '{"ok":true}' },
    ];
    for (const row of rows) {
      const payload = await cipher.seal(new TextEncoder().encode(row.body), contextOf(row));
      await pool.query(
        'INSERT INTO outbox (id, event_type, subject, payload) VALUES ($1, $2, $3, $4)',
        [row.id, row.event_type, row.subject, Buffer.from(payload)],
      );
    }
    const stored = await pool.query<{ payload: Buffer }>('SELECT payload FROM outbox');
    for (const r of stored.rows) expect(r.payload.toString('latin1')).not.toContain('@example.com');

    const readAll = async () => {
      const result = await pool.query<{
        id: string;
        event_type: string;
        subject: string | null;
        payload: Buffer;
      }>('SELECT * FROM outbox ORDER BY id');
      const out: Record<string, string> = {};
      for (const row of result.rows) {
        out[row.id] = await cipher.open(new Uint8Array(row.payload), contextOf(row)).then(
          (p) => new TextDecoder().decode(p),
          (e: unknown) => (isEnvelopeError(e) ? e.code : `untyped: ${String(e)}`),
        );
      }
      return out;
    };
    expect(await readAll()).toEqual(Object.fromEntries(rows.map((r) => [r.id, r.body])));

    await cipher.shred('user-alice');
    // A process that never saw alice's key (a restart, another replica) is refused the same way.
    const replica = createEnvelope({ kek, subjects });
    const after = await readAll();
    expect(after).toEqual({
      msg_a1: 'ERR_ENVELOPE_SHREDDED',
      msg_a2: 'ERR_ENVELOPE_SHREDDED',
      msg_a3: 'ERR_ENVELOPE_SHREDDED',
      msg_b1: '{"email":"bob1@example.com"}',
      msg_b2: '{"email":"bob2@example.com"}',
      msg_n1: '{"ok":true}',
    });
    const alice = await pool.query<{
      id: string;
      event_type: string;
      subject: string | null;
      payload: Buffer;
    }>("SELECT * FROM outbox WHERE id = 'msg_a1'");
    const row = alice.rows[0] as {
      id: string;
      event_type: string;
      subject: string | null;
      payload: Buffer;
    };
    await expect(replica.open(new Uint8Array(row.payload), contextOf(row))).rejects.toMatchObject({
      code: 'ERR_ENVELOPE_SHREDDED',
      status: 410,
    });
    // A row of bob's re-labelled as alice's (or the reverse) is refused too.
    const bob = await pool.query<{ payload: Buffer }>(
      "SELECT payload FROM outbox WHERE id = 'msg_b1'",
    );
    await expect(
      replica.open(new Uint8Array((bob.rows[0] as { payload: Buffer }).payload), {
        ...contextOf({ id: 'msg_b1', event_type: 'user.updated', subject: 'user-carol' }),
      }),
    ).rejects.toMatchObject({ code: 'ERR_ENVELOPE_WRONG_KEY' });
  });
});
