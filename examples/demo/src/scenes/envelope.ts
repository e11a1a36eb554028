// Demo scene for @portcullis/envelope, on a local keyring (no cloud): an outbox table whose
// payload column reads as ciphertext, a row copied into another tenant's table refused, and a
// data subject crypto-shredded (their rows unreadable, everyone else's intact).
import { randomBytes } from 'node:crypto';
import {
  createEnvelope,
  isEnvelopeError,
  KeyringKek,
  MemorySubjectKeyStore,
} from '@portcullis/envelope';
import type { Scene } from '../scene.ts';

interface Row {
  id: string;
  tenant: string;
  subject: string;
  payload: Uint8Array; // a bytea column
}

const contextOf = (row: Pick<Row, 'id' | 'tenant' | 'subject'>) => ({
  tenant: row.tenant,
  purpose: 'webhook-outbox',
  messageId: row.id,
  subject: row.subject,
});

async function outcome(work: Promise<Uint8Array>): Promise<string> {
  return work.then(
    () => 'opened',
    (error: unknown) =>
      isEnvelopeError(error)
        ? `refused: ${error.status} ${error.code}`
        : `failed: ${String(error)}`,
  );
}

export const envelopeScene: Scene = {
  name: 'envelope',
  title:
    '@portcullis/envelope: payloads encrypted at rest, rows bound to their tenant, a subject shredded',
  async run({ say, record }) {
    const envelope = createEnvelope({
      kek: new KeyringKek({ keys: [{ id: 'kek-2026', key: randomBytes(32) }] }),
      subjects: new MemorySubjectKeyStore(),
    });
    const table: Row[] = [];
    const people = ['alice', 'bob'];
    for (const [i, subject] of [...people, ...people].entries()) {
      const row = { id: `msg_${i + 1}`, tenant: 'acme', subject };
      const body = JSON.stringify({ type: 'patient.updated', subject, diagnosis: 'confidential' });
      table.push({
        ...row,
        payload: await envelope.seal(new TextEncoder().encode(body), contextOf(row)),
      });
    }
    say(`outbox: ${table.length} rows sealed, one data key per window, one key per data subject`);

    // 1. What the database (or a backup, or a broker) holds.
    const first = table[0] as Row;
    const header = envelope.describe(first.payload);
    const ciphertext = first.payload.subarray(first.payload.length - header.payloadBytes - 16);
    const hex = Buffer.from(ciphertext).toString('hex');
    const leaked = table.some((r) => Buffer.from(r.payload).includes('confidential'));
    say(
      `SELECT payload FROM outbox WHERE id='${first.id}'  →  ${first.payload.length} bytes: header (key ${header.keyId.slice(0, 12)}…), ciphertext \\x${hex.slice(0, 24)}…`,
    );
    const opened = new TextDecoder().decode(await envelope.open(first.payload, contextOf(first)));
    record({
      scenario: 'database row read without the key',
      happened: leaked
        ? 'plaintext visible in the column'
        : `ciphertext only (\\x${hex.slice(0, 12)}…); the service opens it (${opened.length} bytes)`,
      stoppedBy: '@portcullis/envelope',
      held: !leaked && opened.includes('patient.updated'),
    });

    // 2. A row copied into another tenant's table (a bad migration, an insider, an IDOR).
    const copied = { ...first, tenant: 'globex' };
    const moved = await outcome(envelope.open(copied.payload, contextOf(copied)));
    say(`row ${first.id} copied to tenant globex and read there: ${moved}`);
    record({
      scenario: "ciphertext copied to another tenant's row",
      happened: moved,
      stoppedBy: '@portcullis/envelope (context bound as AAD)',
      held: moved.includes('ERR_ENVELOPE_CONTEXT_MISMATCH'),
    });

    // 3. "Delete everything about alice": shred her key; every copy (rows, backups, replicas) is gone.
    await envelope.shred('alice');
    const after = await Promise.all(
      table.map(async (r) => [r, await outcome(envelope.open(r.payload, contextOf(r)))] as const),
    );
    for (const [r, what] of after) say(`after shredding alice: ${r.id} (${r.subject}) → ${what}`);
    const aliceGone = after
      .filter(([r]) => r.subject === 'alice')
      .every(([, w]) => w.includes('ERR_ENVELOPE_SHREDDED'));
    const bobKept = after.filter(([r]) => r.subject === 'bob').every(([, w]) => w === 'opened');
    record({
      scenario: 'erasure request: a data subject crypto-shredded',
      happened: `alice's rows ${aliceGone ? 'refused: 410 ERR_ENVELOPE_SHREDDED' : 'STILL READABLE'}; bob's ${bobKept ? 'still open' : 'LOST'}`,
      stoppedBy: '@portcullis/envelope (a key per subject)',
      held: aliceGone && bobKept,
    });
  },
};
