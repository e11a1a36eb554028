import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import type { Redacted } from '@portcullis/core';
import { isEnvelopeError, KeyringKek } from '@portcullis/envelope';
import { decryptJwe, encryptJwe, encryptJweJson } from '@portcullis/envelope/jwe';
import fc from 'fast-check';
import {
  CompactEncrypt,
  compactDecrypt,
  exportJWK,
  FlattenedEncrypt,
  flattenedDecrypt,
  GeneralEncrypt,
  generateKeyPair,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { expectCode, expectNothingIn, refusal } from './helpers.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const kek = new KeyringKek({
  keys: [
    { id: 'kek-2026', key: randomBytes(32) },
    { id: 'kek-2025', key: randomBytes(32) },
  ],
});
type DirectKey = { kid: string; key: Redacted<Uint8Array> };
const [current, previous] = kek.directKeys() as unknown as [DirectKey, DirectKey];

describe('JWE with a keyring (dir + A256GCM)', () => {
  it('jose reads what we write (compact and JSON), and we read what jose writes', async () => {
    const jwe = await encryptJwe('hello partner', { key: current });
    expect(jwe.split('.')).toHaveLength(5);
    const ours = await compactDecrypt(jwe, current.key.reveal());
    expect(text(ours.plaintext)).toBe('hello partner');
    expect(ours.protectedHeader).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: 'kek-2026' });
    const json = await encryptJweJson('json form', { key: current });
    expect(text((await flattenedDecrypt(json, current.key.reveal())).plaintext)).toBe('json form');

    const theirs = await new CompactEncrypt(new TextEncoder().encode('from jose'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'kek-2025' })
      .encrypt(previous.key.reveal());
    expect(text(await decryptJwe(theirs, { keys: kek.directKeys() }))).toBe('from jose');
    const theirsJson = await new FlattenedEncrypt(new TextEncoder().encode('json from jose'))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: 'kek-2026' })
      .encrypt(current.key.reveal());
    expect(text(await decryptJwe(theirsJson, { keys: kek.directKeys() }))).toBe('json from jose');
  });

  it('a wrong kid is ERR_ENVELOPE_WRONG_KEY; a right kid on another key is ERR_ENVELOPE_TAMPERED', async () => {
    const jwe = await encryptJwe('x', { key: { kid: 'unknown', key: randomBytes(32) } });
    await expectCode(decryptJwe(jwe, { keys: kek.directKeys() }), 'ERR_ENVELOPE_WRONG_KEY');
    const impostor = await encryptJwe('x', { key: { kid: 'kek-2026', key: randomBytes(32) } });
    await expectCode(decryptJwe(impostor, { keys: kek.directKeys() }), 'ERR_ENVELOPE_TAMPERED');
  });

  it('context is bound in the protected header: another context, or none, is refused', async () => {
    const jwe = await encryptJwe('x', {
      key: current,
      context: { tenant: 'acme', file: 'export-1' },
    });
    expect(
      text(
        await decryptJwe(jwe, { keys: [current], context: { file: 'export-1', tenant: 'acme' } }),
      ),
    ).toBe('x');
    await expectCode(
      decryptJwe(jwe, { keys: [current], context: { tenant: 'globex', file: 'export-1' } }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await expectCode(decryptJwe(jwe, { keys: [current] }), 'ERR_ENVELOPE_CONTEXT_MISMATCH');
    const unbound = await encryptJwe('x', { key: current });
    await expectCode(
      decryptJwe(unbound, { keys: [current], context: { tenant: 'acme' } }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });

  it('truncated, re-ordered or altered compact JWEs are typed refusals with nothing secret in them', async () => {
    const jwe = await encryptJwe('secret-jwe-body-123', { key: current });
    const parts = jwe.split('.');
    const variants = [
      parts.slice(0, 4).join('.'),
      jwe.slice(0, -3),
      [parts[0], parts[1], parts[3], parts[2], parts[4]].join('.'),
      [parts[0], parts[1], parts[2], parts[4], parts[3]].join('.'),
      '',
      'a.b.c.d.e',
    ];
    for (const v of variants) {
      const error = await refusal(decryptJwe(v, { keys: [current] }));
      expect(['ERR_ENVELOPE_MALFORMED', 'ERR_ENVELOPE_TAMPERED']).toContain(error.code);
      expectNothingIn(error, 'secret-jwe-body-123', current.key.reveal());
    }
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: jwe.length - 1 }),
        fc.constantFrom(...'ABCabc012_-.'),
        async (at, ch) => {
          if (jwe[at] === ch) return;
          const altered = jwe.slice(0, at) + ch + jwe.slice(at + 1);
          const outcome = await decryptJwe(altered, { keys: [current] }).then(
            (p) => text(p),
            (e: unknown) => e,
          );
          // base64url's last character can carry unused bits: a change there may decode the same.
          if (typeof outcome === 'string') expect(outcome).toBe('secret-jwe-body-123');
          else expect(isEnvelopeError(outcome)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('algorithms outside dir / ECDH-ES+A256KW with A256GCM are refused', async () => {
    const weak = await new CompactEncrypt(new TextEncoder().encode('x'))
      .setProtectedHeader({ alg: 'dir', enc: 'A128GCM', kid: 'kek-2026' })
      .encrypt(randomBytes(16));
    await expectCode(decryptJwe(weak, { keys: kek.directKeys() }), 'ERR_ENVELOPE_MALFORMED');
  });
});

describe('JWE for a partner (ECDH-ES+A256KW + A256GCM)', () => {
  it('a file for a partner is readable with their private key alone, through jose', async () => {
    const partner = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
    const publicJwk = await exportJWK(partner.publicKey);
    const jwe = await encryptJwe('{"rows":12}', {
      key: { kid: 'partner-2026', publicKey: publicJwk },
    });
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, partner.privateKey);
    expect(text(plaintext)).toBe('{"rows":12}');
    expect(protectedHeader).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      kid: 'partner-2026',
    });
    expect(
      text(
        await decryptJwe(jwe, { keys: [{ kid: 'partner-2026', privateKey: partner.privateKey }] }),
      ),
    ).toBe('{"rows":12}');
    const stranger = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' });
    await expectCode(
      decryptJwe(jwe, { keys: [{ kid: 'partner-2026', privateKey: stranger.privateKey }] }),
      'ERR_ENVELOPE_TAMPERED',
    );
    await expectCode(decryptJwe(jwe, { keys: kek.directKeys() }), 'ERR_ENVELOPE_WRONG_KEY');
  });

  it('reads a general JSON JWE a partner wrote to our public key with jose', async () => {
    const ours = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256', extractable: true });
    const general = await new GeneralEncrypt(new TextEncoder().encode('inbound file'))
      .setProtectedHeader({ enc: 'A256GCM' })
      .addRecipient(ours.publicKey)
      .setUnprotectedHeader({ alg: 'ECDH-ES+A256KW' })
      .encrypt();
    expect(text(await decryptJwe(general, { keys: [{ privateKey: ours.privateKey }] }))).toBe(
      'inbound file',
    );
    const proper = await new GeneralEncrypt(new TextEncoder().encode('inbound file'))
      .setProtectedHeader({ enc: 'A256GCM', alg: 'ECDH-ES+A256KW' })
      .addRecipient(ours.publicKey)
      .encrypt();
    expect(
      text(await decryptJwe(proper, { keys: [{ privateKey: await exportJWK(ours.privateKey) }] })),
    ).toBe('inbound file');
  });
});

describe('JWE headers an attacker controls', () => {
  /** A dir + A256GCM compact JWE with exactly this protected header, encrypted correctly. */
  function craft(header: Record<string, unknown>, key: Uint8Array, plaintext: string): string {
    const h = Buffer.from(JSON.stringify(header)).toString('base64url');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(h, 'ascii'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      h,
      '',
      iv.toString('base64url'),
      ct.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
    ].join('.');
  }
  const raw = current.key.reveal();

  it('the crafted form itself decrypts (so the refusals below are about the header)', async () => {
    const ok = craft({ alg: 'dir', enc: 'A256GCM', kid: current.kid }, raw, 'fine');
    expect(text(await decryptJwe(ok, { keys: [current] }))).toBe('fine');
  });

  it('zip (a decompression bomb) and an unknown crit are refused as malformed, before any plaintext', async () => {
    for (const header of [
      { alg: 'dir', enc: 'A256GCM', kid: current.kid, zip: 'DEF' },
      { alg: 'dir', enc: 'A256GCM', kid: current.kid, crit: ['pcx'], pcx: 'x' },
      { alg: 'dir', enc: 'A256GCM', kid: current.kid, crit: ['exp'], exp: 1 },
      { alg: 'dir', enc: 'A128GCM', kid: current.kid },
      { alg: 'A256KW', enc: 'A256GCM', kid: current.kid },
    ])
      await expectCode(
        decryptJwe(craft(header, raw, 'x'), { keys: [current] }),
        'ERR_ENVELOPE_MALFORMED',
      );
  });

  it('a pcx in an unprotected header does not bind (or satisfy) a context', async () => {
    const jwe = await encryptJweJson('x', { key: current });
    const injected = { ...jwe, unprotected: { pcx: 'anything' } };
    await expectCode(
      decryptJwe(injected, { keys: [current], context: { tenant: 'acme' } }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });

  it('a JWE to a key on another curve than our private key is a typed refusal', async () => {
    const ours = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' });
    const other = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-384' });
    const jwe = await encryptJwe('for someone else', {
      key: { kid: 'partner', publicKey: other.publicKey },
    });
    const error = await refusal(
      decryptJwe(jwe, { keys: [{ kid: 'partner', privateKey: ours.privateKey }] }),
    );
    expect(['ERR_ENVELOPE_MALFORMED', 'ERR_ENVELOPE_TAMPERED']).toContain(error.code);
  });
});

describe('the canonical context is the documented form', () => {
  it('pcx is base64url(SHA-256([["key","value"],…] with keys sorted, JSON strings)) for any context', async () => {
    const documented = (c: Record<string, string>) =>
      createHash('sha256')
        .update(
          `[${Object.keys(c)
            .sort()
            .map((k) => `[${JSON.stringify(k)},${JSON.stringify(c[k])}]`)
            .join(',')}]`,
        )
        .digest('base64url');
    await fc.assert(
      fc.asyncProperty(
        fc
          .array(
            fc.tuple(
              fc.string({ unit: 'binary', maxLength: 5 }),
              fc.string({ unit: 'binary', maxLength: 8 }),
            ),
            { maxLength: 4 },
          )
          .map((e) => Object.fromEntries(e) as Record<string, string>),
        async (context) => {
          const jwe = await encryptJwe('x', { key: current, context });
          const header = JSON.parse(
            Buffer.from(jwe.split('.')[0] as string, 'base64url').toString(),
          );
          expect(header.pcx).toBe(documented(context));
        },
      ),
      { numRuns: 200 },
    );
  });
});
