import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { ManualClock } from '@portcullis/core';
import { createEnvelope, type Kek, type PayloadCipher } from '@portcullis/envelope';
import { describe, expect, it } from 'vitest';
import { countingKek, expectCode, expectNothingIn, keyring } from './helpers.ts';

const encoder = new TextEncoder();
const context = { tenant: 'acme', table: 'orders', id: '1842' };

describe('createEnvelope: seal and open', () => {
  it('round-trips bytes and text, and the stored form is not the plaintext', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const plaintext = encoder.encode('{"card":"4242424242424242"}');
    const sealed = await envelope.seal(plaintext, context);
    expect(Buffer.from(sealed).includes(Buffer.from(plaintext))).toBe(false);
    expect(await envelope.open(sealed, context)).toEqual(plaintext);
    const text = await envelope.encrypt('héllo', context);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(await envelope.decryptText(text, context)).toBe('héllo');
    expect(await envelope.decrypt(text, context)).toEqual(encoder.encode('héllo'));
  });

  it('satisfies the PayloadCipher contract of the webhook sender', async () => {
    const cipher: PayloadCipher = createEnvelope({ kek: keyring() });
    const ctx = { purpose: 'webhook-outbox', messageId: 'msg_1', eventType: 'invoice.paid' };
    const sealed = await cipher.seal(encoder.encode('{}'), ctx);
    expect(new TextDecoder().decode(await cipher.open(sealed, ctx))).toBe('{}');
  });

  it('context key order does not matter; any changed, added or missing key is a context mismatch', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const sealed = await envelope.seal(encoder.encode('x'), context);
    expect(await envelope.open(sealed, { id: '1842', table: 'orders', tenant: 'acme' })).toEqual(
      encoder.encode('x'),
    );
    await expectCode(
      envelope.open(sealed, { ...context, id: '1843' }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await expectCode(
      envelope.open(sealed, { ...context, tenant: 'globex' }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await expectCode(
      envelope.open(sealed, { ...context, extra: '' }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    await expectCode(
      envelope.open(sealed, { tenant: 'acme', table: 'orders' }),
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });

  it('a fixed context option is bound to every envelope', async () => {
    const kek = keyring();
    const billing = createEnvelope({ kek, context: { app: 'billing' } });
    const crm = createEnvelope({ kek, context: { app: 'crm' } });
    const sealed = await billing.seal(encoder.encode('x'), context);
    await expectCode(crm.open(sealed, context), 'ERR_ENVELOPE_CONTEXT_MISMATCH');
    expect(await billing.open(sealed, context)).toEqual(encoder.encode('x'));
  });

  it('an envelope from another keyring is the wrong key; nothing secret reaches the error', async () => {
    const a = createEnvelope({ kek: keyring('kek-a') });
    const b = createEnvelope({ kek: keyring('kek-b') });
    const plaintext = encoder.encode('top-secret-payload-value');
    const sealed = await a.seal(plaintext, context);
    const error = await expectCode(b.open(sealed, context), 'ERR_ENVELOPE_WRONG_KEY');
    expect(error.keyId).toBe('kek-a');
    expect(error.status).toBe(400);
    expectNothingIn(error, 'top-secret-payload-value', sealed, plaintext);
  });

  it('refuses what is not an envelope with ERR_ENVELOPE_MALFORMED, and misuse with a TypeError', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    await expectCode(envelope.open(new Uint8Array(10), context), 'ERR_ENVELOPE_MALFORMED');
    await expectCode(envelope.decrypt('not base64url!', context), 'ERR_ENVELOPE_MALFORMED');
    await expect(envelope.seal('text' as unknown as Uint8Array, context)).rejects.toThrow(
      TypeError,
    );
    await expect(
      envelope.seal(new Uint8Array(1), { n: 1 } as unknown as Record<string, string>),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
  });

  it('describe() reads the header without a key', async () => {
    const envelope = createEnvelope({ kek: keyring('kek-2026') });
    const sealed = await envelope.seal(new Uint8Array(100), context);
    expect(envelope.describe(sealed)).toEqual({
      version: 1,
      keyId: 'kek-2026',
      subjectKey: false,
      payloadBytes: 100,
    });
  });

  it('util.inspect of the envelope and its KEK shows no key bytes', async () => {
    const key = randomBytes(32);
    const { KeyringKek } = await import('@portcullis/envelope');
    const kek = new KeyringKek({ keys: [{ id: 'k', key }] });
    const envelope = createEnvelope({ kek });
    await envelope.seal(new Uint8Array(1), context);
    const text =
      inspect(kek, { depth: 10, showHidden: true }) +
      inspect(envelope, { depth: 10, showHidden: true });
    expect(text).not.toContain(key.toString('hex'));
    expect(text).not.toContain(key.toString('base64'));
  });
});

describe('data keys: the batch rule and the cache', () => {
  it('one KEK call per reuse window, not per message; dataKeyMaxUses bounds a window', async () => {
    const kek = countingKek(keyring());
    const envelope = createEnvelope({ kek, dataKeyMaxUses: 100 });
    const sealed = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        envelope.seal(encoder.encode(`m${i}`), { ...context, id: String(i) }),
      ),
    );
    expect(kek.calls.generate).toBe(3);
    for (const [i, s] of sealed.entries()) await envelope.open(s, { ...context, id: String(i) });
    expect(kek.calls.unwrap).toBe(0); // our own data keys are cached on the way out
  });

  it('dataKeyMaxUses: 1 gives every message its own data key', async () => {
    const kek = countingKek(keyring());
    const envelope = createEnvelope({ kek, dataKeyMaxUses: 1 });
    const a = await envelope.seal(encoder.encode('a'), context);
    const b = await envelope.seal(encoder.encode('b'), context);
    expect(kek.calls.generate).toBe(2);
    expect(Buffer.from(envelope.describe(a).keyId)).toEqual(
      Buffer.from(envelope.describe(b).keyId),
    );
    expect(Buffer.from(a.subarray(8, 60))).not.toEqual(Buffer.from(b.subarray(8, 60)));
  });

  it('key context partitions data keys: another tenant gets another data key', async () => {
    const kek = countingKek(keyring());
    const envelope = createEnvelope({ kek });
    await envelope.seal(encoder.encode('a'), { tenant: 'acme', id: '1' });
    await envelope.seal(encoder.encode('a'), { tenant: 'acme', id: '2' });
    await envelope.seal(encoder.encode('a'), { tenant: 'globex', id: '1' });
    expect(kek.calls.generate).toBe(2);
  });

  it('a window ends after dataKeyMaxAgeMs; a cached unwrapped key is asked for again after cacheMaxAgeMs', async () => {
    const clock = new ManualClock(0);
    const inner = keyring();
    const kek = countingKek(inner);
    const writer = createEnvelope({ kek, clock, dataKeyMaxAgeMs: 1000 });
    await writer.seal(encoder.encode('a'), context);
    clock.advance(999);
    await writer.seal(encoder.encode('a'), context);
    expect(kek.calls.generate).toBe(1);
    clock.advance(1);
    const sealed = await writer.seal(encoder.encode('a'), context);
    expect(kek.calls.generate).toBe(2);
    const reader = createEnvelope({ kek, clock, cacheMaxAgeMs: 5000 });
    await reader.open(sealed, context);
    await reader.open(sealed, context);
    expect(kek.calls.unwrap).toBe(1);
    clock.advance(5000);
    await reader.open(sealed, context);
    expect(kek.calls.unwrap).toBe(2);
  });

  it('cacheMaxEntries bounds the unwrapped keys held', async () => {
    const kek = countingKek(keyring());
    const writer = createEnvelope({ kek, dataKeyMaxUses: 1 });
    const sealed = await Promise.all(
      [0, 1, 2].map((i) => writer.seal(encoder.encode('x'), { ...context, id: String(i) })),
    );
    const reader = createEnvelope({ kek, cacheMaxEntries: 2 });
    for (const [i, s] of sealed.entries()) await reader.open(s, { ...context, id: String(i) });
    await reader.open(sealed[0] as Uint8Array, { ...context, id: '0' }); // evicted: asked again
    expect(kek.calls.unwrap).toBe(4);
  });

  it('the cache evicts the least recently used key, not the oldest inserted (hot keys stay)', async () => {
    const kek = countingKek(keyring());
    const writer = createEnvelope({ kek, dataKeyMaxUses: 1 });
    const sealed = await Promise.all(
      [0, 1, 2, 3].map((i) => writer.seal(encoder.encode('x'), { ...context, id: String(i) })),
    );
    const open = (i: number) => reader.open(sealed[i] as Uint8Array, { ...context, id: String(i) });
    const reader = createEnvelope({ kek, cacheMaxEntries: 3 });
    for (const i of [0, 1, 2]) await open(i); // three unwraps, cache full
    await open(0); // hits: 0 and 1 are now the most recently used
    await open(1);
    await open(3); // a fourth key: evicts 2, the least recently used
    await open(0);
    expect(kek.calls.unwrap).toBe(4);
  });
});

describe('KMS outages', () => {
  it("a KEK error's name and code reach the cause only clipped to a safe charset (no message, no payload)", async () => {
    const secret = 'Bearer eyJhbGciOi.secret-token-value';
    const hostile: Kek = {
      kind: 'hostile',
      async generateDataKey() {
        throw Object.assign(new Error(secret), {
          name: `KMSError ${secret} ${'x'.repeat(500)}`,
          code: `E_${secret}${'y'.repeat(500)}`,
        });
      },
      wrap: async () => ({ keyId: 'k', wrapped: new Uint8Array() }),
      unwrap: async () => new Uint8Array(),
    };
    const error = await expectCode(
      createEnvelope({ kek: hostile }).seal(encoder.encode('x'), context),
      'ERR_ENVELOPE_KEK_UNAVAILABLE',
    );
    const cause = error.cause as Error;
    expect(cause.message.length).toBeLessThanOrEqual(140);
    expect(cause.message).toMatch(/^[\w.() -]*$/);
    expect(cause.name.length).toBeLessThanOrEqual(64);
  });

  it('rides an outage on cached keys until outageGraceMs, then ERR_ENVELOPE_KEK_UNAVAILABLE (safe cause)', async () => {
    const clock = new ManualClock(0);
    const kek = countingKek(keyring());
    const envelope = createEnvelope({
      kek,
      clock,
      dataKeyMaxAgeMs: 1000,
      cacheMaxAgeMs: 1000,
      outageGraceMs: 10_000,
    });
    const sealed = await envelope.seal(encoder.encode('a'), context);
    kek.mode = 'down';
    clock.advance(5000); // past both ages, inside the grace
    expect(await envelope.open(sealed, context)).toEqual(encoder.encode('a'));
    await envelope.seal(encoder.encode('b'), context);
    clock.advance(5000); // past the grace
    const error = await expectCode(
      envelope.seal(encoder.encode('c'), context),
      'ERR_ENVELOPE_KEK_UNAVAILABLE',
    );
    expect(error.status).toBe(503);
    expectNothingIn(error, 'ECONNREFUSED', '10.0.0.1', 'secret-looking-detail');
    await expectCode(envelope.open(sealed, context), 'ERR_ENVELOPE_KEK_UNAVAILABLE');
    kek.mode = 'ok';
    expect(await envelope.open(sealed, context)).toEqual(encoder.encode('a'));
  });

  it('a KEK that hangs is bounded by kekTimeoutMs on the injected clock', async () => {
    const clock = new ManualClock(0);
    const kek = countingKek(keyring());
    kek.mode = 'hang';
    const envelope = createEnvelope({ kek, clock, kekTimeoutMs: 2000 });
    const pending = envelope.seal(encoder.encode('a'), context);
    await Promise.resolve();
    clock.advance(2000);
    const error = await expectCode(pending, 'ERR_ENVELOPE_KEK_UNAVAILABLE');
    expect(error.message).toContain('2000 ms');
  });
});

describe('rotation', () => {
  it('the newest key writes, old keys read until retired, rewrap leaves the payload bytes untouched', async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const { KeyringKek } = await import('@portcullis/envelope');
    const before = createEnvelope({
      kek: new KeyringKek({ keys: [{ id: 'kek-2025', key: oldKey }] }),
    });
    const sealed = await before.seal(encoder.encode('payload'), context);
    const during = createEnvelope({
      kek: new KeyringKek({
        keys: [
          { id: 'kek-2026', key: newKey },
          { id: 'kek-2025', key: oldKey },
        ],
      }),
    });
    expect(during.describe(await during.seal(encoder.encode('n'), context)).keyId).toBe('kek-2026');
    expect(await during.open(sealed, context)).toEqual(encoder.encode('payload'));
    const rewrapped = await during.rewrap(sealed, context);
    expect(during.describe(rewrapped).keyId).toBe('kek-2026');
    const tail = (b: Uint8Array) => Buffer.from(b.subarray(b.length - (7 + 16 + 16 + 12)));
    expect(tail(rewrapped)).toEqual(tail(sealed));
    const after = createEnvelope({
      kek: new KeyringKek({ keys: [{ id: 'kek-2026', key: newKey }] }),
    });
    expect(await after.open(rewrapped, context)).toEqual(encoder.encode('payload'));
    await expectCode(after.open(sealed, context), 'ERR_ENVELOPE_WRONG_KEY');
  });

  it('rewrap refuses an envelope opened under another context', async () => {
    const envelope = createEnvelope({ kek: keyring() });
    const sealed = await envelope.seal(encoder.encode('x'), context);
    const other = createEnvelope({ kek: keyring('kek-other') });
    await expectCode(other.rewrap(sealed, context), 'ERR_ENVELOPE_WRONG_KEY');
  });
});
