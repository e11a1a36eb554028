import { invalidArgument } from '@portcullis/core';
import { checkContext } from '../options.ts';
import type { Envelope, EnvelopeContext } from '../types.ts';
import type { EncryptedFields } from './defineEncryptedFields.ts';

/** A record whose encrypted fields hold envelope text (and whose blind-index fields are added). */
export type EncryptedRecord = Record<string, unknown>;

/** The context one field is sealed under: the record's context plus the field's name. */
export function fieldContext(context: EnvelopeContext, field: string): EnvelopeContext {
  return { ...context, 'portcullis:field': field };
}

/**
 * Encrypts the marked fields of `record` (each JSON-encoded, sealed under `context` plus the
 * field's name, so values cannot be swapped between fields or rows) and adds their blind indexes.
 * `null` and `undefined` values are left as they are. With a `schema`, the record is checked
 * first.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { createEnvelope, decryptFields, defineEncryptedFields, encryptFields, KeyringKek } from '@portcullis/envelope';
 * const envelope = createEnvelope({ kek: new KeyringKek({ keys: [{ id: 'kek-1', key: randomBytes(32) }] }) });
 * const spec = defineEncryptedFields<{ id: string; email: string }>({
 *   fields: { email: { blindIndex: 'emailIndex' } },
 *   blindIndexKey: randomBytes(32),
 * });
 * const context = { tenant: 'acme', table: 'customers', id: 'c1' };
 * const row = await encryptFields(spec, { id: 'c1', email: 'ada@example.com' }, envelope, context);
 * const back = await decryptFields(spec, row, envelope, context); // { id: 'c1', email: 'ada@example.com' }
 * ```
 */
export async function encryptFields<T extends object>(
  spec: EncryptedFields<T>,
  record: T,
  envelope: Pick<Envelope, 'encrypt'>,
  context: EnvelopeContext,
): Promise<EncryptedRecord> {
  if (typeof record !== 'object' || record === null) throw invalidArgument('record', 'an object');
  checkContext(context, 'context');
  const checked = (spec.schema === undefined ? record : spec.schema.parse(record)) as Record<
    string,
    unknown
  >;
  const out: Record<string, unknown> = { ...checked };
  await Promise.all(
    spec.fields.map(async (field) => {
      const value = checked[field];
      if (value === undefined || value === null) return;
      const index = spec.indexes[field];
      if (index !== undefined) out[index] = spec.blindIndex(field as keyof T & string, value);
      out[field] = await envelope.encrypt(JSON.stringify(value), fieldContext(context, field));
    }),
  );
  return out;
}
