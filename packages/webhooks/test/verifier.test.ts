import { MemoryStore, redacted, type Store } from '@portcullis/core';
import {
  createSigner,
  createVerifier,
  generateKeyPair,
  isWebhookError,
  schemes,
  WebhookError,
} from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { BACKENDS, clockAt, NOW_SEC, OTHER_SECRET, rejection, SECRET } from './helpers.ts';

const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';

describe.each(BACKENDS)('createVerifier (%s)', (crypto) => {
  const sign = (
    secrets: Parameters<typeof createSigner>[0]['secrets'],
    input: { id?: string; timestamp?: number; body?: string | Uint8Array } = {},
  ) => createSigner({ secrets, crypto, clock: clockAt() }).sign({ body, ...input });

  it('accepts a message it signed and reports id, timestamp and matched secret', async () => {
    const headers = await sign(SECRET, { id: 'msg_1' });
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt() });
    await expect(verifier.verify({ headers, body })).resolves.toEqual({
      id: 'msg_1',
      idSigned: true,
      timestamp: NOW_SEC,
      matchedSecret: { index: 0 },
      scheme: 'standard',
    });
  });

  it('verifies bodies as bytes: Buffer, Uint8Array, ArrayBuffer and bodies that are not UTF-8', async () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80]);
    const headers = await sign(SECRET, { body: bytes });
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt(), store: false });
    await expect(verifier.verify({ headers, body: bytes })).resolves.toMatchObject({
      matchedSecret: { index: 0 },
    });
    await expect(verifier.verify({ headers, body: Buffer.from(bytes) })).resolves.toBeDefined();
    await expect(verifier.verify({ headers, body: bytes.slice().buffer })).resolves.toBeDefined();
    const text = await sign(SECRET, { body: 'héllo ✓' });
    await expect(
      verifier.verify({ headers: text, body: new TextEncoder().encode('héllo ✓') }),
    ).resolves.toBeDefined();
  });

  it('refuses a parsed body with ERR_WEBHOOK_BODY_NOT_RAW and says why', async () => {
    const headers = await sign(SECRET);
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt() });
    const error = await rejection(verifier.verify({ headers, body: JSON.parse(body) }));
    expect(error).toBeInstanceOf(WebhookError);
    expect(error.code).toBe('ERR_WEBHOOK_BODY_NOT_RAW');
    expect(error.message).toMatch(/raw/);
    expect((await rejection(verifier.verify({ headers, body: undefined as never }))).code).toBe(
      'ERR_WEBHOOK_BODY_NOT_RAW',
    );
  });

  it('refuses a tampered body with ERR_WEBHOOK_SIGNATURE_MISMATCH (status 401)', async () => {
    const headers = await sign(SECRET);
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt() });
    const error = await rejection(verifier.verify({ headers, body: body.replace('in_1', 'in_2') }));
    expect(isWebhookError(error, 'ERR_WEBHOOK_SIGNATURE_MISMATCH')).toBe(true);
    expect((error as WebhookError).status).toBe(401);
  });

  it('accepts any of several live secrets and says which, by index and label', async () => {
    const old = await sign(OTHER_SECRET);
    const verifier = createVerifier({
      secrets: [
        { label: 'current', secret: redacted(SECRET) },
        { label: 'previous', secret: OTHER_SECRET },
      ],
      crypto,
      clock: clockAt(),
      store: false,
    });
    await expect(verifier.verify({ headers: old, body })).resolves.toMatchObject({
      matchedSecret: { index: 1, label: 'previous' },
    });
    const both = await sign([SECRET, OTHER_SECRET]);
    expect(both['webhook-signature']?.split(' ')).toHaveLength(2);
    await expect(verifier.verify({ headers: both, body })).resolves.toMatchObject({
      matchedSecret: { index: 0, label: 'current' },
    });
  });

  it('resolves secrets through a function on every message', async () => {
    let live: string[] = [OTHER_SECRET];
    const verifier = createVerifier({
      secrets: async () => live,
      crypto,
      clock: clockAt(),
      store: false,
    });
    const headers = await sign(SECRET);
    expect((await rejection(verifier.verify({ headers, body }))).code).toBe(
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
    live = [OTHER_SECRET, SECRET];
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({
      matchedSecret: { index: 1 },
    });
    live = [];
    expect((await rejection(verifier.verify({ headers, body }))).code).toBe(
      'ERR_WEBHOOK_SECRET_MALFORMED',
    );
  });

  it('checks the timestamp with separate past and future bounds', async () => {
    const clock = clockAt();
    const verifier = createVerifier({
      secrets: SECRET,
      crypto,
      clock,
      store: false,
      toleranceSec: 300,
      futureToleranceSec: 30,
    });
    const at = (offset: number) => sign(SECRET, { timestamp: NOW_SEC + offset });
    await expect(verifier.verify({ headers: await at(-300), body })).resolves.toBeDefined();
    await expect(verifier.verify({ headers: await at(30), body })).resolves.toBeDefined();
    const old = await rejection(verifier.verify({ headers: await at(-301), body }));
    expect([old.code, old.bound]).toEqual(['ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE', 'past']);
    const ahead = await rejection(verifier.verify({ headers: await at(31), body }));
    expect([ahead.code, ahead.bound]).toEqual(['ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE', 'future']);
    // An hour ahead, which Stripe's and Slack's libraries accept, is refused by default.
    const hour = await rejection(
      createVerifier({ secrets: SECRET, crypto, clock, store: false }).verify({
        headers: await at(3600),
        body,
      }),
    );
    expect(hour.code).toBe('ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE');
  });

  it('refuses a replay with ERR_WEBHOOK_REPLAYED, and forgets it once the window has passed', async () => {
    const clock = clockAt();
    const store = new MemoryStore({ clock });
    const verifier = createVerifier({ secrets: SECRET, crypto, clock, store, toleranceSec: 60 });
    const headers = await sign(SECRET, { id: 'msg_replay' });
    await verifier.verify({ headers, body });
    const error = await rejection(verifier.verify({ headers, body }));
    expect(isWebhookError(error, 'ERR_WEBHOOK_REPLAYED')).toBe(true);
    expect((error as WebhookError).status).toBe(409);
    // A re-signed retry with the same id (new timestamp) is a duplicate too.
    clock.advance(10_000);
    const retry = await createSigner({ secrets: SECRET, crypto, clock }).sign({
      id: 'msg_replay',
      body,
    });
    expect((await rejection(verifier.verify({ headers: retry, body }))).code).toBe(
      'ERR_WEBHOOK_REPLAYED',
    );
    clock.advance(62_000);
    expect((await rejection(verifier.verify({ headers, body }))).code).toBe(
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
    );
  });

  it('refuses a replay that carries only another live secret’s signature (rotation)', async () => {
    // Stripe signs no id: the replay key must name the signed content, not the signature that
    // matched, or dropping the new secret's `v1=` from a captured header replays it.
    const clock = clockAt();
    const secrets = ['whsec_new_secret_for_rotation', 'whsec_old_secret_for_rotation'];
    const verifier = createVerifier({ scheme: schemes.stripe, secrets, crypto, clock });
    const headers = await createSigner({ scheme: schemes.stripe, secrets, crypto, clock }).sign({
      body,
    });
    const header = headers['stripe-signature'] as string;
    const [t, v1New, v1Old] = header.split(',');
    expect([t, v1New, v1Old].every(Boolean)).toBe(true);
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({
      matchedSecret: { index: 0 },
    });
    for (const only of [`${t},${v1Old}`, `${t},${v1New}`, `${t},${v1Old},${v1New}`]) {
      const replay = { 'stripe-signature': only };
      expect((await rejection(verifier.verify({ headers: replay, body }))).code).toBe(
        'ERR_WEBHOOK_REPLAYED',
      );
    }
  });

  it('records a nonce only after signature and timestamp verified', async () => {
    const writes: string[] = [];
    const inner = new MemoryStore();
    const store: Store = Object.assign(Object.create(inner) as Store, {
      setIfAbsent: (key: string, value: string, ttlMs: number) => {
        writes.push(key);
        return inner.setIfAbsent(key, value, ttlMs);
      },
    });
    const clock = clockAt();
    const verifier = createVerifier({ secrets: SECRET, crypto, clock, store });
    const good = await sign(SECRET, { id: 'msg_victim' });
    const forged = {
      ...good,
      'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    };
    expect((await rejection(verifier.verify({ headers: forged, body }))).code).toBe(
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
    const stale = await sign(SECRET, { id: 'msg_victim', timestamp: NOW_SEC - 3600 });
    expect((await rejection(verifier.verify({ headers: stale, body }))).code).toBe(
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
    );
    expect(writes).toEqual([]);
    await expect(verifier.verify({ headers: good, body })).resolves.toMatchObject({
      id: 'msg_victim',
    });
    expect(writes).toEqual(['webhooks:replay:standard:msg_victim']);
  });

  it('reads Fetch Headers, svix-* names and header names in any case', async () => {
    const headers = await sign(SECRET);
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt(), store: false });
    await expect(verifier.verify({ headers: new Headers(headers), body })).resolves.toBeDefined();
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    await expect(verifier.verify({ headers: upper, body })).resolves.toBeDefined();
    const svix = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k.replace('webhook-', 'svix-'), v]),
    );
    await expect(verifier.verify({ headers: svix, body })).resolves.toBeDefined();
  });

  it('gives distinct codes for missing and malformed headers', async () => {
    const headers = await sign(SECRET);
    const verifier = createVerifier({
      secrets: SECRET,
      crypto,
      clock: clockAt(),
      store: false,
      maxSignatures: 3,
      maxHeaderLength: 300,
    });
    const without = (name: string) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => k !== name));
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const error = await rejection(verifier.verify({ headers: without(name), body }));
      expect([error.code, (error as WebhookError).header]).toEqual([
        'ERR_WEBHOOK_HEADER_MISSING',
        name,
      ]);
    }
    const bad = async (patch: Record<string, unknown>) =>
      (await rejection(verifier.verify({ headers: { ...headers, ...patch } as never, body }))).code;
    expect(await bad({ 'webhook-timestamp': '1e9' })).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    expect(await bad({ 'webhook-timestamp': ' 1767225600' })).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    expect(await bad({ 'webhook-id': 'msg.1' })).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    expect(await bad({ 'webhook-signature': 'nocomma' })).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    expect(await bad({ 'webhook-signature': 'v1,a v1,b v1,c v1,d' })).toBe(
      'ERR_WEBHOOK_HEADER_MALFORMED',
    );
    expect(await bad({ 'webhook-signature': `v1,${'A'.repeat(400)}` })).toBe(
      'ERR_WEBHOOK_HEADER_MALFORMED',
    );
    expect(await bad({ 'webhook-id': ['msg_a', 'msg_b'] })).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    expect(await bad({ 'webhook-signature': 'v2,abc' })).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('verifies Ed25519 (v1a) signatures with the public key only', async () => {
    const { secretKey, publicKey } = await generateKeyPair();
    const headers = await sign([secretKey, SECRET]);
    expect(headers['webhook-signature']).toMatch(/^v1a,\S+ v1,\S+$/);
    const verifier = createVerifier({ secrets: publicKey, crypto, clock: clockAt(), store: false });
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({
      matchedSecret: { index: 0 },
    });
    expect((await rejection(verifier.verify({ headers, body: `${body} ` }))).code).toBe(
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
    const other = await generateKeyPair();
    const wrong = createVerifier({
      secrets: other.publicKey,
      crypto,
      clock: clockAt(),
      store: false,
    });
    expect((await rejection(wrong.verify({ headers, body }))).code).toBe(
      'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    );
  });

  it('accepts an Ed25519 (v1a) signature in its one canonical spelling only', async () => {
    const { secretKey, publicKey } = await generateKeyPair();
    const headers = await sign(secretKey, { id: 'msg_canonical' });
    const sig = (headers['webhook-signature'] as string).slice('v1a,'.length);
    const respell = (value: string) => ({ ...headers, 'webhook-signature': `v1a,${value}` });
    const verifier = createVerifier({ secrets: publicKey, crypto, clock: clockAt(), store: false });
    await expect(verifier.verify({ headers, body })).resolves.toBeDefined();
    for (const other of [
      sig.replace(/=+$/, ''), // unpadded
      sig.replaceAll('+', '-').replaceAll('/', '_'), // URL alphabet
    ]) {
      if (other === sig) continue;
      expect((await rejection(verifier.verify({ headers: respell(other), body }))).code).toBe(
        'ERR_WEBHOOK_SIGNATURE_MISMATCH',
      );
    }
  });

  it('refuses malformed secrets with ERR_WEBHOOK_SECRET_MALFORMED, without echoing them', async () => {
    for (const secret of ['whsec_not base64!', 'whsec_c2hvcnQ=', 'whpk_AAAA']) {
      let caught: unknown;
      try {
        createVerifier({ secrets: secret, crypto });
      } catch (error) {
        caught = error;
      }
      expect(isWebhookError(caught, 'ERR_WEBHOOK_SECRET_MALFORMED')).toBe(true);
      expect(JSON.stringify(caught) + String((caught as Error).message)).not.toContain(
        secret.slice(6),
      );
    }
    const { secretKey } = await generateKeyPair();
    expect(() => createVerifier({ secrets: secretKey, crypto })).toThrow(/public key/);
  });

  it('never puts the secret, the expected signature or the body in an error', async () => {
    const headers = await sign(SECRET);
    const expected = headers['webhook-signature']!.slice(3);
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt(), store: false });
    const error = await rejection(
      verifier.verify({ headers: { ...headers, 'webhook-signature': 'v1,xxxx' }, body }),
    );
    const shown = `${error.message} ${JSON.stringify(error)} ${String(error.stack)}`;
    for (const secret of [SECRET, SECRET.slice(6), expected, body])
      expect(shown).not.toContain(secret);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      name: 'WebhookError',
      code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH',
      message: 'No webhook signature matched.',
      status: 401,
    });
  });

  it('treats misuse as a TypeError, not a WebhookError', async () => {
    expect(() => createVerifier({ secrets: SECRET, crypto, toleranceSec: -1 })).toThrow(TypeError);
    expect(() => createVerifier({ secrets: [], crypto })).toThrow(TypeError);
    expect(() => createVerifier({ secrets: 42 as never, crypto })).toThrow(TypeError);
    expect(() => createVerifier({ secrets: SECRET, crypto: 'wasm' as never })).toThrow(TypeError);
    const verifier = createVerifier({ secrets: SECRET, crypto });
    await expect(verifier.verify({ headers: null as never, body })).rejects.toThrow(TypeError);
  });
});

describe('createSigner', () => {
  it('refuses more secrets than a single-signature scheme carries', async () => {
    const { schemes } = await import('@portcullis/webhooks');
    const signer = createSigner({ scheme: schemes.github, secrets: ['a', 'b'] });
    await expect(signer.sign({ body })).rejects.toThrow(TypeError);
  });

  it('generates a fresh id and the current timestamp by default', async () => {
    const signer = createSigner({ secrets: SECRET, clock: clockAt() });
    const a = await signer.sign({ body });
    const b = await signer.sign({ body });
    expect(a['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(a['webhook-id']).not.toBe(b['webhook-id']);
    expect(a['webhook-timestamp']).toBe(String(NOW_SEC));
    await expect(signer.sign({ body, id: 'has.dot' })).rejects.toThrow(TypeError);
    await expect(signer.sign({ body, timestamp: 1.5 })).rejects.toThrow(TypeError);
  });

  it('refuses to sign with a public key', async () => {
    const { publicKey } = await generateKeyPair();
    expect(() => createSigner({ secrets: publicKey })).toThrow(/whpk_/);
  });

  it('reports to the telemetry option: outcome by code, never secrets or ids', async () => {
    const points: [string, Record<string, unknown> | undefined][] = [];
    const telemetry = {
      count: (
        name: string,
        _value?: number,
        attributes?: Record<string, string | number | boolean>,
      ) => {
        points.push([name, attributes]);
      },
      record: () => {},
      span: <T>(_name: string, fn: () => Promise<T>) => fn(),
    };
    const signer = createSigner({ secrets: SECRET, clock: clockAt(), telemetry });
    const verifier = createVerifier({ secrets: SECRET, clock: clockAt(), telemetry });
    const headers = await signer.sign({ body, id: 'msg_t' });
    await verifier.verify({ headers, body });
    await verifier.verify({ headers, body: `${body} ` }).catch(() => {});
    expect(points).toEqual([
      ['portcullis.webhooks.sign', { scheme: 'standard' }],
      ['portcullis.webhooks.verify', { scheme: 'standard', outcome: 'ok' }],
      [
        'portcullis.webhooks.verify',
        { scheme: 'standard', outcome: 'ERR_WEBHOOK_SIGNATURE_MISMATCH' },
      ],
    ]);
  });
});
