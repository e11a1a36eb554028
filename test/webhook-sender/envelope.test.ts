// The outbox with @portcullis/envelope as its payload cipher, on a real PostgreSQL: rows hold
// ciphertext bound to their message, deliveries carry the plaintext, and a shredded data subject's
// messages end as a reported failure while everyone else's are delivered.
import { randomBytes } from 'node:crypto';
import { createEnvelope, KeyringKek, MemorySubjectKeyStore } from '@portcullis/envelope';
import type { ExhaustedEvent } from '@portcullis/webhook-sender';
import { describe, expect, it } from 'vitest';
import { inTransaction, makeSender, startReceiver, usePostgres } from './support.ts';

const db = usePostgres();

describe('outbox payloads sealed by @portcullis/envelope', () => {
  it('stores ciphertext, delivers plaintext, refuses a row moved to another message, and shreds one subject', async () => {
    const receiver = await startReceiver();
    const envelope = createEnvelope({
      kek: new KeyringKek({ keys: [{ id: 'kek-1', key: randomBytes(32) }] }),
      subjects: new MemorySubjectKeyStore(),
    });
    const exhausted: ExhaustedEvent[] = [];
    const f = await makeSender(db.pool, {
      payloadCipher: envelope,
      onExhausted: (e) => exhausted.push(e),
    });
    try {
      await f.sender.addEndpoint({ id: 'crm', url: receiver.url, secretRef: 'hook' });
      const alice = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, {
          type: 'user.updated',
          payload: { email: 'alice@example.com' },
          subject: 'user_alice',
        }),
      );
      const bob = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, {
          type: 'user.updated',
          payload: { email: 'bob@example.com' },
          subject: 'user_bob',
        }),
      );
      const { rows } = await db.pool.query(
        `SELECT id, payload, sealed FROM "${f.schema}".messages ORDER BY id`,
      );
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.sealed).toBe(true);
        expect(Buffer.from(row.payload).toString('latin1')).not.toMatch(/alice|bob|example\.com/);
      }

      // A ciphertext copied onto another message's row does not open there: it is bound to its id.
      await db.pool.query(
        `UPDATE "${f.schema}".messages SET payload = (SELECT payload FROM "${f.schema}".messages WHERE id = $1) WHERE id = $2`,
        [alice.id, bob.id],
      );
      // Alice asks to be forgotten before anything is delivered.
      await envelope.shred('user_alice');
      expect(await f.sender.runOnce()).toBe(2);
      expect(receiver.requests).toHaveLength(0);
      expect(exhausted.map((e) => [e.messageId, e.errorCode]).sort()).toEqual(
        [
          [alice.id, 'ERR_SENDER_PAYLOAD_UNREADABLE'],
          [bob.id, 'ERR_SENDER_PAYLOAD_UNREADABLE'],
        ].sort(),
      );

      // Bob's next event is delivered in the clear to the receiver, signed as usual.
      const bob2 = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, {
          type: 'user.updated',
          payload: { email: 'bob@example.com', plan: 'pro' },
          subject: 'user_bob',
        }),
      );
      expect(await f.sender.runOnce()).toBe(1);
      expect(receiver.requests.map((r) => r.body)).toEqual([
        '{"email":"bob@example.com","plan":"pro"}',
      ]);
      expect(receiver.requests[0]?.headers['webhook-id']).toBe(bob2.id);
      // And Alice's data cannot be written again either.
      await expect(
        inTransaction(db.pool, (c) =>
          f.sender.enqueue(c, { type: 'user.updated', payload: {}, subject: 'user_alice' }),
        ),
      ).rejects.toMatchObject({ code: 'ERR_ENVELOPE_SHREDDED' });
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});
