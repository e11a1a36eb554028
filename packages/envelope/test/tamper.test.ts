import { createEnvelope } from '@portcullis/envelope';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyring, refusal } from './helpers.ts';

const context = { tenant: 'acme', table: 'outbox', id: '7' };
const REFUSALS = [
  'ERR_ENVELOPE_MALFORMED',
  'ERR_ENVELOPE_TAMPERED',
  'ERR_ENVELOPE_CONTEXT_MISMATCH',
  'ERR_ENVELOPE_WRONG_KEY',
];

describe('binary envelope: tampering', () => {
  it('changing any bit of any byte is a typed refusal, never a plaintext', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const sealed = await envelope.seal(new TextEncoder().encode('amount=100;to=alice'), context);
    // Every byte position, each with a random non-zero XOR mask.
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: sealed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, mask) => {
          const copy = sealed.slice();
          copy[at] = (copy[at] as number) ^ mask;
          const error = await refusal(envelope.open(copy, context));
          expect(REFUSALS).toContain(error.code);
        },
      ),
      { numRuns: 300 },
    );
    for (let at = 0; at < sealed.length; at++) {
      const copy = sealed.slice();
      copy[at] = (copy[at] as number) ^ 0x01;
      expect(REFUSALS).toContain((await refusal(envelope.open(copy, context))).code);
    }
  });

  it('a changed payload byte is ERR_ENVELOPE_TAMPERED; a truncation or extension is refused', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const sealed = await envelope.seal(new Uint8Array(64), context);
    const copy = sealed.slice();
    copy[copy.length - 20] = (copy[copy.length - 20] as number) ^ 0x80;
    expect((await refusal(envelope.open(copy, context))).code).toBe('ERR_ENVELOPE_TAMPERED');
    for (let length = 0; length < sealed.length; length++) {
      expect(REFUSALS).toContain(
        (await refusal(envelope.open(sealed.subarray(0, length), context))).code,
      );
    }
    const longer = new Uint8Array(sealed.length + 1);
    longer.set(sealed);
    expect(REFUSALS).toContain((await refusal(envelope.open(longer, context))).code);
  });

  it('random bytes are never accepted as an envelope', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (junk) => {
        expect(REFUSALS).toContain((await refusal(envelope.open(junk, context))).code);
      }),
      { numRuns: 200 },
    );
  });

  it('the wrapped key of another envelope (same context, same KEK) spliced in is refused', async () => {
    const envelope = createEnvelope({ kek: keyring(), dataKeyMaxUses: 1 });
    const a = await envelope.seal(new Uint8Array(16), context);
    const b = await envelope.seal(new Uint8Array(16), context);
    const headerLength = a.length - 16 - 12 - 16 - 16;
    const spliced = new Uint8Array(a.length);
    spliced.set(b.subarray(0, headerLength), 0);
    spliced.set(a.subarray(headerLength), headerLength);
    expect((await refusal(envelope.open(spliced, context))).code).toBe(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });
});

describe('context canonicalisation', () => {
  const entry = fc.tuple(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'tenant', '', '"', '","', '\\'),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    ),
    fc.oneof(
      fc.constantFrom('', '"', '],[', '\\"', '\ud800', 'e\u0301', '\u00e9'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
  );
  const ctx = fc
    .array(entry, { maxLength: 4 })
    .map((entries) => Object.fromEntries(entries) as Record<string, string>);
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length &&
    Object.keys(a).every((k) => Object.hasOwn(b, k) && a[k] === b[k]);

  it('an envelope opens under another context only if it has exactly the same entries', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    await fc.assert(
      fc.asyncProperty(ctx, ctx, async (a, b) => {
        const sealed = await envelope.seal(new Uint8Array([1]), a);
        const opened = await envelope.open(sealed, b).then(
          () => true,
          () => false,
        );
        expect(opened).toBe(same(a, b));
      }),
      { numRuns: 300 },
    );
  });

  it('no Unicode normalisation: a precomposed and a decomposed é are different contexts', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const sealed = await envelope.seal(new Uint8Array([1]), { tenant: 'caf\u00e9' });
    expect((await refusal(envelope.open(sealed, { tenant: 'cafe\u0301' }))).code).toBe(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });

  it('a __proto__ key (from JSON.parse) is an entry like any other, never dropped', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const sealed = await envelope.seal(
      new Uint8Array([1]),
      JSON.parse('{"__proto__":"x","tenant":"a"}'),
    );
    expect((await refusal(envelope.open(sealed, { tenant: 'a' }))).code).toBe(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await envelope.open(sealed, JSON.parse('{"tenant":"a","__proto__":"x"}'));
  });

  it('a context that is not a plain object (a Map, an array, a class instance) is a TypeError, not an empty context', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    class Ctx {
      tenant = 'acme';
    }
    for (const bad of [
      new Map([['tenant', 'acme']]),
      ['acme'],
      new Ctx(),
      new Date(0),
      { tenant: 1 },
    ])
      await expect(envelope.seal(new Uint8Array([1]), bad as never)).rejects.toThrow(TypeError);
    // A null-prototype object is fine.
    await envelope.seal(
      new Uint8Array([1]),
      Object.assign(Object.create(null), { tenant: 'acme' }),
    );
  });
});
