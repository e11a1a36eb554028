import { randomBytes } from 'node:crypto';
import { defineBoundary, isBoundaryError } from '@portcullis/boundary';
import {
  createEnvelope,
  decryptFields,
  defineEncryptedFields,
  encryptFields,
} from '@portcullis/envelope';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expectCode, keyring } from './helpers.ts';

interface Customer {
  id: string;
  email: string;
  ssn: string;
  age: number;
  plan: string;
}
const envelope = createEnvelope({ kek: keyring() });
const indexKey = randomBytes(32);
const spec = defineEncryptedFields<Customer>({
  fields: {
    email: { blindIndex: 'emailIndex', normalize: (v) => String(v).trim().toLowerCase() },
    ssn: {},
    age: {},
  },
  blindIndexKey: indexKey,
});
const ada: Customer = {
  id: 'c1',
  email: 'Ada@Example.com',
  ssn: '078-05-1120',
  age: 36,
  plan: 'pro',
};
const ctx = (id: string) => ({ tenant: 'acme', table: 'customers', id });

describe('encryptFields / decryptFields', () => {
  it('marked fields become envelopes, others stay; the blind index is added; decrypt restores the record', async () => {
    const row = await encryptFields(spec, ada, envelope, ctx('c1'));
    expect(row.id).toBe('c1');
    expect(row.plan).toBe('pro');
    for (const f of ['email', 'ssn', 'age'] as const) {
      expect(typeof row[f]).toBe('string');
      expect(
        envelope.describe(new Uint8Array(Buffer.from(String(row[f]), 'base64url'))).version,
      ).toBe(1);
    }
    // Long enough that a chance match in base64url text is out of the question.
    for (const f of ['email', 'ssn'] as const) expect(String(row[f])).not.toContain(ada[f]);
    expect(row.emailIndex).toBe(spec.blindIndex('email', 'ada@example.com'));
    expect(await decryptFields(spec, row, envelope, ctx('c1'))).toEqual(ada);
  });

  it('a field copied to another row, or swapped with another field, is a context mismatch', async () => {
    const a = await encryptFields(spec, ada, envelope, ctx('c1'));
    const b = await encryptFields(
      spec,
      { ...ada, id: 'c2', ssn: '219-09-9999' },
      envelope,
      ctx('c2'),
    );
    await expectCode(
      decryptFields(spec, { ...b, ssn: a.ssn }, envelope, ctx('c2')),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await expectCode(
      decryptFields(spec, { ...a, ssn: a.email }, envelope, ctx('c1')),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await expectCode(
      decryptFields(spec, { ...a, ssn: 42 }, envelope, ctx('c1')),
      'ERR_ENVELOPE_MALFORMED',
    );
  });

  it('blind index: equal after normalising, different for different values or fields, keyed', async () => {
    expect(spec.blindIndex('email', ' ADA@example.com ')).toBe(
      spec.blindIndex('email', 'ada@example.com'),
    );
    const other = defineEncryptedFields<Customer>({
      fields: { email: { blindIndex: 'emailIndex' } },
      blindIndexKey: randomBytes(32),
    });
    expect(other.blindIndex('email', 'ada@example.com')).not.toBe(
      spec.blindIndex('email', 'ada@example.com'),
    );
    fc.assert(
      fc.property(fc.string(), fc.string(), (x, y) => {
        const nx = x.trim().toLowerCase();
        const ny = y.trim().toLowerCase();
        expect(spec.blindIndex('email', x) === spec.blindIndex('email', y)).toBe(nx === ny);
      }),
    );
    expect(spec.blindIndex('email', 'x')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(() => spec.blindIndex('ssn', 'x')).toThrow(TypeError);
  });

  it('a boundary or zod schema checks the record before encrypting and after decrypting', async () => {
    const schema = z.object({
      id: z.string(),
      email: z.email(),
      ssn: z.string(),
      age: z.number().int(),
      plan: z.string(),
    });
    const boundary = defineBoundary({ schema, unknownKeys: 'strict' });
    const checked = defineEncryptedFields<Customer>({ fields: { ssn: {} }, schema: boundary });
    const row = await encryptFields(checked, ada, envelope, ctx('c1'));
    expect(await decryptFields(checked, row, envelope, ctx('c1'))).toEqual(ada);
    const bad = await encryptFields(
      checked,
      { ...ada, email: 'not-an-email' },
      envelope,
      ctx('c1'),
    ).catch((e: unknown) => e);
    expect(isBoundaryError(bad)).toBe(true);
    const withZod = defineEncryptedFields<Customer>({ fields: { ssn: {} }, schema });
    expect(
      await decryptFields(
        withZod,
        await encryptFields(withZod, ada, envelope, ctx('c1')),
        envelope,
        ctx('c1'),
      ),
    ).toEqual(ada);
  });

  it('refuses bad specs with a TypeError', () => {
    expect(() => defineEncryptedFields<Customer>({ fields: {} })).toThrow(TypeError);
    expect(() =>
      defineEncryptedFields<Customer>({ fields: { email: { blindIndex: 'i' } } }),
    ).toThrow(/blindIndexKey/);
    expect(() =>
      defineEncryptedFields<Customer>({
        fields: { email: { blindIndex: 'ssn' }, ssn: {} },
        blindIndexKey: indexKey,
      }),
    ).toThrow(TypeError);
    expect(() =>
      defineEncryptedFields<Customer>({ fields: { ssn: {} }, blindIndxBytes: 8 } as never),
    ).toThrow(/blindIndexBytes/);
    // Two fields writing one index column: the second would overwrite the first's index.
    expect(() =>
      defineEncryptedFields<Customer>({
        fields: { email: { blindIndex: 'lookup' }, ssn: { blindIndex: 'lookup' } },
        blindIndexKey: indexKey,
      }),
    ).toThrow(/blindIndex/);
    // An index column named like an Object.prototype member is a column like any other.
    expect(
      defineEncryptedFields<Customer>({
        fields: { email: { blindIndex: 'constructor' } },
        blindIndexKey: indexKey,
      }).indexes,
    ).toEqual({ email: 'constructor' });
  });
});
