import { createHash, createHmac } from 'node:crypto';
import {
  createSigner,
  createVerifier,
  defineHmacScheme,
  type Scheme,
  schemes,
} from '@portcullis/webhooks';
import * as schemesEntry from '@portcullis/webhooks/schemes';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, clockAt, NOW_SEC, rejection } from './helpers.ts';

const body = 'token=abc&team_id=T1&text=hello+world&user_name=ana';

/** Independent reference: HMAC computed here with node:crypto exactly as each provider documents it. */
function reference(name: string, secret: string, ts: number, url: string): Record<string, string> {
  const mac = (alg: string, data: string, enc: 'hex' | 'base64') =>
    createHmac(alg, secret).update(data).digest(enc);
  switch (name) {
    case 'shopify':
      return { 'x-shopify-hmac-sha256': mac('sha256', body, 'base64') };
    case 'slack':
      return {
        'x-slack-signature': `v0=${mac('sha256', `v0:${ts}:${body}`, 'hex')}`,
        'x-slack-request-timestamp': String(ts),
      };
    case 'github':
      return { 'x-hub-signature-256': `sha256=${mac('sha256', body, 'hex')}` };
    case 'stripe':
      return { 'stripe-signature': `t=${ts},v1=${mac('sha256', `${ts}.${body}`, 'hex')}` };
    default: {
      const params = [...new URLSearchParams(body)].sort(([a], [b]) => (a < b ? -1 : 1));
      return {
        'x-twilio-signature': mac('sha1', url + params.map(([k, v]) => k + v).join(''), 'base64'),
      };
    }
  }
}

const url = 'https://example.com/hooks/sms?x=1';

describe.each(BACKENDS)('provider schemes (%s)', (crypto) => {
  it.each(['github', 'shopify', 'slack', 'stripe', 'twilio'] as const)(
    '%s: our signature equals the documented construction, and verifies',
    async (name) => {
      const scheme = schemes[name];
      const secret = `${name}-secret-value`;
      const headers = await createSigner({
        scheme,
        secrets: secret,
        crypto,
        clock: clockAt(),
      }).sign({ body, url });
      expect(headers).toMatchObject(reference(name, secret, NOW_SEC, url));
      const verifier = createVerifier({ scheme, secrets: secret, crypto, clock: clockAt() });
      await expect(
        verifier.verify({ headers: reference(name, secret, NOW_SEC, url), body, url }),
      ).resolves.toMatchObject({ scheme: name });
      // Replay protection keys on the signature where no signed id exists.
      expect((await rejection(verifier.verify({ headers, body, url }))).code).toBe(
        'ERR_WEBHOOK_REPLAYED',
      );
      const tampered = await rejection(
        verifier.verify({ headers, body: body.replace('ana', 'bob'), url }),
      );
      expect(tampered.code).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
    },
  );

  it('slack holds the timestamp to the tolerance', async () => {
    const headers = reference('slack', 's', NOW_SEC - 301, url);
    const verifier = createVerifier({
      scheme: schemes.slack,
      secrets: 's',
      crypto,
      clock: clockAt(),
    });
    expect((await rejection(verifier.verify({ headers, body }))).code).toBe(
      'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
    );
  });

  it('twilio signs the URL: another URL does not verify, and a missing url is misuse', async () => {
    const headers = reference('twilio', 'tok', 0, url);
    const verifier = createVerifier({
      scheme: schemes.twilio,
      secrets: 'tok',
      crypto,
      store: false,
    });
    await expect(verifier.verify({ headers, body, url })).resolves.toBeDefined();
    expect(
      (await rejection(verifier.verify({ headers, body, url: url.replace('https', 'http') }))).code,
    ).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
    await expect(verifier.verify({ headers, body })).rejects.toThrow(TypeError);
  });

  it("twilio: a URL with bodySHA256 (Twilio's JSON variant) is refused whatever the body", async () => {
    const json = '{"CallSid":"CA1","CallStatus":"completed"}';
    const digest = createHash('sha256').update(json).digest('hex');
    const verifier = createVerifier({ scheme: schemes.twilio, secrets: 'tok', crypto });
    for (const hashed of [
      `https://example.com/hooks/status?bodySHA256=${digest}`,
      `https://example.com/hooks/status?x=1&bodySHA256=${digest}`,
      `https://example.com/hooks/status?bodySHA%32%35%36=${digest}`,
      'https://example.com/hooks/status?bodysha256=',
    ]) {
      // What Twilio signs for a JSON webhook: the URL alone, the body bound by the hash.
      const headers = {
        'x-twilio-signature': createHmac('sha1', 'tok').update(hashed).digest('base64'),
      };
      // Before the fix, '' and '=' parsed to no form parameter and verified.
      for (const forged of [json, '', '=']) {
        const error = await rejection(verifier.verify({ headers, body: forged, url: hashed }));
        expect(error, `${hashed} ${forged}`).toMatchObject({
          name: 'WebhookError',
          code: 'ERR_WEBHOOK_HEADER_MALFORMED',
          header: ':path',
        });
      }
    }
    // A parameter that merely contains the name is no JSON variant.
    const other = 'https://example.com/hooks/status?notbodySHA256=1#bodySHA256=2';
    await expect(
      verifier.verify({ headers: reference('twilio', 'tok', 0, other), body, url: other }),
    ).resolves.toMatchObject({ scheme: 'twilio' });
  });

  it('stripe: several v1 signatures, unknown items skipped, malformed headers refused', async () => {
    const good = reference('stripe', 's1', NOW_SEC, url)['stripe-signature']!;
    const v1 = good.split(',')[1]!;
    const verifier = createVerifier({
      scheme: schemes.stripe,
      secrets: 's1',
      crypto,
      clock: clockAt(),
      store: false,
    });
    await expect(
      verifier.verify({
        headers: { 'stripe-signature': `t=${NOW_SEC},v0=abc,v1=${'0'.repeat(64)},${v1}` },
        body,
      }),
    ).resolves.toBeDefined();
    for (const header of [`${v1}`, `t=${NOW_SEC},t=${NOW_SEC},${v1}`, `t=abc,${v1}`, `garbage`]) {
      expect(
        (await rejection(verifier.verify({ headers: { 'stripe-signature': header }, body }))).code,
      ).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
    }
    expect(
      (await rejection(verifier.verify({ headers: { 'stripe-signature': `t=${NOW_SEC}` }, body })))
        .code,
    ).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
  });
});

describe('defineHmacScheme', () => {
  const acme: Scheme = defineHmacScheme({
    name: 'acme',
    signatureHeader: 'X-Acme-Signature',
    signaturePrefix: 'sha512=',
    signatureSeparator: ' ',
    algorithm: 'sha512',
    encoding: 'base64url',
    timestampHeader: 'X-Acme-Timestamp',
    idHeader: 'X-Acme-Id',
    signedContent: '{id}:{timestamp}:{body}',
    secretEncoding: 'base64',
  });

  it.each(BACKENDS)('declares a working scheme in a few lines (%s)', async (crypto) => {
    const secret = Buffer.from('acme-secret-bytes').toString('base64');
    const headers = await createSigner({
      scheme: acme,
      secrets: [secret, 'b3RoZXI='],
      crypto,
      clock: clockAt(),
    }).sign({ id: 'evt_1', body });
    const expected = createHmac('sha512', Buffer.from('acme-secret-bytes'))
      .update(`evt_1:${NOW_SEC}:${body}`)
      .digest('base64url');
    expect(headers['x-acme-signature']?.split(' ')[0]).toBe(`sha512=${expected}`);
    expect(headers['x-acme-id']).toBe('evt_1');
    const verifier = createVerifier({
      scheme: acme,
      secrets: 'b3RoZXI=',
      crypto,
      clock: clockAt(),
    });
    await expect(verifier.verify({ headers, body })).resolves.toMatchObject({
      id: 'evt_1',
      idSigned: true,
      matchedSecret: { index: 0 },
    });
    expect(
      (await rejection(verifier.verify({ headers: { ...headers, 'x-acme-id': 'evt_2' }, body })))
        .code,
    ).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('rejects inconsistent declarations as misuse', () => {
    expect(() =>
      defineHmacScheme({ name: 'x', signatureHeader: 'x-sig', signedContent: '{timestamp}' }),
    ).toThrow(TypeError);
    expect(() =>
      defineHmacScheme({
        name: 'x',
        signatureHeader: 'x-sig',
        signedContent: '{timestamp}.{body}',
      }),
    ).toThrow(TypeError);
    expect(() =>
      defineHmacScheme({ name: 'x', signatureHeader: 'x-sig', timestampHeader: 'x-ts' }),
    ).toThrow(TypeError);
    expect(() => defineHmacScheme({ name: 'x', signatureHeader: 'bad header' })).toThrow(TypeError);
    expect(() => defineHmacScheme({ name: 'x y', signatureHeader: 'x-sig' })).toThrow(TypeError);
    expect(() =>
      defineHmacScheme({ name: 'x', signatureHeader: 'x-sig', algorithm: 'md5' as never }),
    ).toThrow(TypeError);
  });

  describe.each(BACKENDS)('a signed id cannot re-split the signed content (%s)', (crypto) => {
    const attack = async (separator: string) => {
      const scheme = defineHmacScheme({
        name: 'dotted',
        signatureHeader: 'x-sig',
        timestampHeader: 'x-ts',
        idHeader: 'x-id',
        signedContent: `{timestamp}${separator}{id}${separator}{body}`,
      });
      const sent = `order=42${separator}amount=100`;
      const headers = await createSigner({ scheme, secrets: 's', crypto, clock: clockAt() }).sign({
        id: 'evt_1',
        body: sent,
      });
      // The replay store is on (a MemoryStore): the forged message would be a new replay key.
      const verifier = createVerifier({ scheme, secrets: 's', crypto, clock: clockAt() });
      await expect(verifier.verify({ headers, body: sent })).resolves.toMatchObject({
        id: 'evt_1',
        idSigned: true,
      });
      // Same signed bytes, split differently: `evt_1<sep>order=42` + `amount=100`.
      return rejection(
        verifier.verify({
          headers: { ...headers, 'x-id': `evt_1${separator}order=42` },
          body: 'amount=100',
        }),
      );
    };

    it('{timestamp}.{id}.{body}: an id holding "." is refused, not a fresh message', async () => {
      const error = await attack('.');
      expect(error).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED', header: 'x-id' });
      expect(error.message).toContain('without "."');
    });

    it('{timestamp}:{id}:{body}: an id holding the separator next to it is refused too', async () => {
      const error = await attack(':');
      expect(error).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED', header: 'x-id' });
      expect(error.message).toContain('":"');
    });

    it('ids follow the Standard Webhooks rule: 1–256 visible ASCII characters', async () => {
      const scheme = defineHmacScheme({
        name: 'ids',
        signatureHeader: 'x-sig',
        idHeader: 'x-id',
        signedContent: '{id}.{body}',
      });
      const verifier = createVerifier({ scheme, secrets: 's', crypto, store: false });
      const ok = await createSigner({ scheme, secrets: 's', crypto }).sign({
        id: 'a'.repeat(256),
        body,
      });
      await expect(verifier.verify({ headers: ok, body })).resolves.toBeDefined();
      for (const id of ['a'.repeat(257), 'evt 1', 'évt_1']) {
        expect(
          (await rejection(verifier.verify({ headers: { ...ok, 'x-id': id }, body }))).code,
        ).toBe('ERR_WEBHOOK_HEADER_MALFORMED');
      }
    });

    it('the signer refuses (TypeError) every id its own verifier refuses', async () => {
      const scheme = defineHmacScheme({
        name: 'colon',
        signatureHeader: 'x-sig',
        idHeader: 'x-id',
        signedContent: '{id}:{body}',
      });
      expect(scheme.isValidId?.('evt_42')).toBe(true);
      expect(scheme.isValidId?.('evt:42')).toBe(false);
      expect(scheme.idRule).toBe('1–256 visible ASCII characters without ".", ":"');
      const signer = createSigner({ scheme, secrets: 's', crypto });
      const verifier = createVerifier({ scheme, secrets: 's', crypto, store: false });
      for (const id of ['evt:42', ':', 'evt.42', 'evt 42', '']) {
        const error = await rejection(signer.sign({ id, body }));
        expect(error, id).toBeInstanceOf(TypeError);
        expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
        expect(error.message).toContain('":"');
      }
      // What it does sign, its verifier accepts.
      const ok = await signer.sign({ id: 'evt_42', body });
      await expect(verifier.verify({ headers: ok, body })).resolves.toMatchObject({ id: 'evt_42' });
    });

    it('signer and verifier agree on every id (property)', async () => {
      const scheme = defineHmacScheme({
        name: 'agree',
        signatureHeader: 'x-sig',
        timestampHeader: 'x-ts',
        idHeader: 'x-id',
        signedContent: '{timestamp}|{id}#{body}',
      });
      const signer = createSigner({ scheme, secrets: 's', crypto, clock: clockAt() });
      const verifier = createVerifier({
        scheme,
        secrets: 's',
        crypto,
        clock: clockAt(),
        store: false,
      });
      await fc.assert(
        fc.asyncProperty(
          fc.string({
            unit: fc.constantFrom('a', '1', '|', '#', '.', ':', '_', ' '),
            maxLength: 6,
          }),
          async (id) => {
            let headers: Record<string, string>;
            try {
              headers = await signer.sign({ id, body });
            } catch (error) {
              expect(error).toBeInstanceOf(TypeError);
              return;
            }
            await expect(verifier.verify({ headers, body })).resolves.toMatchObject({ id });
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  it('standard exposes its id rule, and the signer applies it', async () => {
    expect(schemes.standard.isValidId?.('msg_1')).toBe(true);
    expect(schemes.standard.isValidId?.('msg.1')).toBe(false);
    expect(schemes.standard.idRule).toBe('1–256 visible ASCII characters without "."');
    const signer = createSigner({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    await expect(signer.sign({ id: 'msg.1', body })).rejects.toThrow(TypeError);
  });

  it('rejects templates whose parts could be split more than one way', () => {
    const declare = (signedContent: string) => () =>
      defineHmacScheme({
        name: 'x',
        signatureHeader: 'x-sig',
        timestampHeader: 'x-ts',
        idHeader: 'x-id',
        signedContent,
      });
    for (const template of [
      '{timestamp}.{id}{body}',
      '{timestamp}{id}.{body}',
      '{id}.{body}{timestamp}',
      '{timestamp}1.{body}',
      '{timestamp}.{id}.9{body}{timestamp}',
    ]) {
      expect(declare(template), template).toThrow(TypeError);
    }
    expect(declare('{timestamp}.{id}.{body}')).not.toThrow();
    expect(declare('v0:{timestamp}:{id}:{body}')).not.toThrow();
  });

  it('the schemes entry point exports the same scheme objects', () => {
    expect(schemesEntry.stripe).toBe(schemes.stripe);
    expect(schemesEntry.schemes).toBe(schemes);
    expect(schemesEntry.defineHmacScheme).toBe(defineHmacScheme);
  });
});
