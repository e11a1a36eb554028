import { ManualClock } from '@portcullis/core';
import {
  createEnvelope,
  type EnvelopeError,
  type Kek,
  MemorySubjectKeyStore,
} from '@portcullis/envelope';
import { describe, expect, it } from 'vitest';
import { countingKek, expectCode, keyring } from './helpers.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const ctx = (subject: string, id: string) => ({
  purpose: 'webhook-outbox',
  messageId: id,
  eventType: 'user.updated',
  subject,
});

describe('crypto-shredding', () => {
  it('a subject key still being unwrapped when the shred lands is not cached (nor used) after it', async () => {
    const subjects = new MemorySubjectKeyStore();
    const inner = keyring();
    const sealed = await createEnvelope({ kek: inner, subjects }).seal(
      enc('dave data'),
      ctx('dave', 'm1'),
    );
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Kek = {
      kind: inner.kind,
      generateDataKey: (c) => inner.generateDataKey(c),
      wrap: (k, c) => inner.wrap(k, c),
      async unwrap(id, w, c) {
        await gate; // the KMS is slow: the shred lands meanwhile
        return inner.unwrap(id, w, c);
      },
    };
    const envelope = createEnvelope({ kek: slow, subjects });
    const reading = envelope.open(sealed, ctx('dave', 'm1')).then(
      () => 'opened',
      (e: EnvelopeError) => e.code,
    );
    const writing = envelope.seal(enc('late'), ctx('dave', 'm2')).then(
      () => 'sealed',
      (e: EnvelopeError) => e.code,
    );
    await new Promise((resolve) => setImmediate(resolve));
    await envelope.shred('dave');
    release();
    expect(await reading).toBe('ERR_ENVELOPE_SHREDDED');
    expect(await writing).toBe('ERR_ENVELOPE_SHREDDED');
    await expectCode(envelope.open(sealed, ctx('dave', 'm1')), 'ERR_ENVELOPE_SHREDDED');
    await expectCode(envelope.seal(enc('new'), ctx('dave', 'm3')), 'ERR_ENVELOPE_SHREDDED');
  });

  it('a key per subject; shredding one makes their envelopes unreadable, others still open', async () => {
    const subjects = new MemorySubjectKeyStore();
    const envelope = createEnvelope({ kek: keyring(), subjects });
    const alice = await envelope.seal(enc('alice data'), ctx('alice', 'm1'));
    const bob = await envelope.seal(enc('bob data'), ctx('bob', 'm2'));
    expect(envelope.describe(alice).subjectKey).toBe(true);
    expect(envelope.describe(alice).keyId).not.toBe(envelope.describe(bob).keyId);
    await envelope.shred('alice');
    const error = await expectCode(
      envelope.open(alice, ctx('alice', 'm1')),
      'ERR_ENVELOPE_SHREDDED',
    );
    expect(error.status).toBe(410);
    expect(new TextDecoder().decode(await envelope.open(bob, ctx('bob', 'm2')))).toBe('bob data');
    await expectCode(envelope.seal(enc('new'), ctx('alice', 'm3')), 'ERR_ENVELOPE_SHREDDED');
    expect(await subjects.get('alice')).not.toContain('wrapped');
  });

  it('another process sharing the store sees the shred once its cached subject key ages out', async () => {
    const clock = new ManualClock(0);
    const subjects = new MemorySubjectKeyStore();
    const kek = keyring();
    const a = createEnvelope({ kek, subjects, clock, cacheMaxAgeMs: 1000 });
    const b = createEnvelope({ kek, subjects, clock, cacheMaxAgeMs: 1000 });
    const sealed = await a.seal(enc('x'), ctx('carol', 'm1'));
    await b.open(sealed, ctx('carol', 'm1'));
    await a.shred('carol');
    await b.open(sealed, ctx('carol', 'm1')); // still cached in b
    clock.advance(1000);
    await expectCode(b.open(sealed, ctx('carol', 'm1')), 'ERR_ENVELOPE_SHREDDED');
  });

  it('a subject envelope opened without its subject, with another subject, or with no store is refused', async () => {
    const subjects = new MemorySubjectKeyStore();
    const envelope = createEnvelope({ kek: keyring(), subjects });
    const sealed = await envelope.seal(enc('x'), ctx('dave', 'm1'));
    const { subject: _, ...noSubject } = ctx('dave', 'm1');
    await expectCode(envelope.open(sealed, noSubject), 'ERR_ENVELOPE_CONTEXT_MISMATCH');
    await envelope.seal(enc('y'), ctx('erin', 'm1'));
    await expectCode(envelope.open(sealed, ctx('erin', 'm1')), 'ERR_ENVELOPE_WRONG_KEY');
    await expectCode(envelope.open(sealed, ctx('nobody', 'm1')), 'ERR_ENVELOPE_WRONG_KEY');
    const plain = createEnvelope({ kek: keyring() });
    await expectCode(plain.open(sealed, ctx('dave', 'm1')), 'ERR_ENVELOPE_WRONG_KEY');
    await expect(plain.shred('dave')).rejects.toThrow(TypeError);
  });

  it('the subject key is created once, cached, and rewrapped under a new KEK without changing envelopes', async () => {
    const subjects = new MemorySubjectKeyStore();
    const { KeyringKek } = await import('@portcullis/envelope');
    const { randomBytes } = await import('node:crypto');
    const oldKey = { id: 'kek-old', key: randomBytes(32) };
    const newKey = { id: 'kek-new', key: randomBytes(32) };
    const kek = countingKek(new KeyringKek({ keys: [oldKey] }));
    const before = createEnvelope({ kek, subjects, dataKeyMaxUses: 1 });
    const sealed = await Promise.all(
      ['1', '2', '3'].map((id) => before.seal(enc(id), ctx('frank', id))),
    );
    expect(kek.calls.wrap).toBe(1); // one subject key; data keys are wrapped locally by it
    expect(kek.calls.generate).toBe(0);
    const rotated = createEnvelope({ kek: new KeyringKek({ keys: [newKey, oldKey] }), subjects });
    await rotated.rewrapSubjectKey('frank');
    expect(await subjects.get('frank')).toContain('kek-new');
    const after = createEnvelope({ kek: new KeyringKek({ keys: [newKey] }), subjects });
    expect(
      new TextDecoder().decode(await after.open(sealed[2] as Uint8Array, ctx('frank', '3'))),
    ).toBe('3');
    expect(await after.rewrap(sealed[0] as Uint8Array, ctx('frank', '1'))).toEqual(sealed[0]);
  });

  it('a subject-key store that fails is a typed KEK_UNAVAILABLE, ridden on a cached key', async () => {
    const clock = new ManualClock(0);
    const store = new MemorySubjectKeyStore();
    let down = false;
    const flaky = {
      get: (s: string) => (down ? Promise.reject(new Error('db down')) : store.get(s)),
      create: (s: string, r: string) => store.create(s, r),
      replace: (s: string, r: string) => store.replace(s, r),
      shred: (s: string, t: string) => store.shred(s, t),
    };
    const writer = createEnvelope({
      kek: keyring(),
      subjects: flaky,
      clock,
      cacheMaxAgeMs: 1000,
      outageGraceMs: 5000,
    });
    const sealed = await writer.seal(enc('x'), ctx('gina', 'm'));
    down = true;
    clock.advance(2000);
    expect(new TextDecoder().decode(await writer.open(sealed, ctx('gina', 'm')))).toBe('x');
    clock.advance(3000);
    await expectCode(writer.open(sealed, ctx('gina', 'm')), 'ERR_ENVELOPE_KEK_UNAVAILABLE');
  });
});
