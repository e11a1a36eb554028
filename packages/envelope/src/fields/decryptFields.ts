import { invalidArgument } from '@portcullis/core';
import { EnvelopeError } from '../errors/EnvelopeError.ts';
import { checkContext } from '../options.ts';
import type { Envelope, EnvelopeContext } from '../types.ts';
import type { EncryptedFields } from './defineEncryptedFields.ts';
import { type EncryptedRecord, fieldContext } from './encryptFields.ts';

/**
 * Opens the fields {@link encryptFields} sealed (with the same `context`), drops the blind-index
 * fields, and checks the result with the spec's `schema` when it has one. A field moved from
 * another row, tenant or field fails with `ERR_ENVELOPE_CONTEXT_MISMATCH`.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { createEnvelope, decryptFields, defineEncryptedFields, encryptFields, KeyringKek } from '@portcullis/envelope';
 * const envelope = createEnvelope({ kek: new KeyringKek({ keys: [{ id: 'kek-1', key: randomBytes(32) }] }) });
 * const spec = defineEncryptedFields<{ id: string; ssn: string }>({ fields: { ssn: {} } });
 * const row = await encryptFields(spec, { id: 'c1', ssn: '078-05-1120' }, envelope, { id: 'c1' });
 * await decryptFields(spec, row, envelope, { id: 'c2' }).catch((e) => e.code); // 'ERR_ENVELOPE_CONTEXT_MISMATCH'
 * ```
 */
export async function decryptFields<T extends object>(
  spec: EncryptedFields<T>,
  record: EncryptedRecord,
  envelope: Pick<Envelope, 'decryptText'>,
  context: EnvelopeContext,
): Promise<T> {
  if (typeof record !== 'object' || record === null) throw invalidArgument('record', 'an object');
  checkContext(context, 'context');
  const out: Record<string, unknown> = { ...record };
  for (const index of Object.values(spec.indexes)) delete out[index];
  await Promise.all(
    spec.fields.map(async (field) => {
      const value = record[field];
      if (value === undefined || value === null) return;
      if (typeof value !== 'string')
        throw new EnvelopeError(
          'ERR_ENVELOPE_MALFORMED',
          `The field "${field}" does not hold an envelope.`,
        );
      const text = await envelope.decryptText(value, fieldContext(context, field));
      try {
        out[field] = JSON.parse(text);
      } catch {
        throw new EnvelopeError(
          'ERR_ENVELOPE_MALFORMED',
          `The field "${field}" did not decrypt to JSON.`,
        );
      }
    }),
  );
  return (spec.schema === undefined ? out : spec.schema.parse(out)) as T;
}
