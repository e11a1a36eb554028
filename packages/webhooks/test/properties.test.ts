import {
  type CryptoChoice,
  createSigner,
  createVerifier,
  defineHmacScheme,
  type HeadersInput,
  isWebhookError,
  type Scheme,
  schemes,
} from '@portcullis/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, clockAt, NOW_SEC, SECRET } from './helpers.ts';

const RUNS = 150;

/** Verifies arbitrary headers with `scheme`: whatever happens, nothing but a WebhookError escapes. */
async function expectOnlyWebhookErrors(
  scheme: Scheme,
  headers: HeadersInput,
  crypto: CryptoChoice,
): Promise<void> {
  const v = createVerifier({
    scheme,
    secrets: scheme === schemes.standard ? SECRET : 's',
    crypto,
    clock: clockAt(),
    store: false,
  });
  try {
    await v.verify({ headers, body: 'x=1', url: 'https://example.com/' });
  } catch (error) {
    expect(isWebhookError(error), String(error)).toBe(true);
  }
}

/** Changes one character of `text` at `index` to a different printable ASCII character. */
function mutate(text: string, index: number, delta: number): string {
  const i = index % text.length;
  const code = text.charCodeAt(i);
  const next = 0x20 + ((code - 0x20 + 1 + (delta % 94)) % 95);
  return (
    text.slice(0, i) + String.fromCharCode(next === code ? next + 1 : next) + text.slice(i + 1)
  );
}

async function refused(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return false;
  } catch (error) {
    return isWebhookError(error);
  }
}

describe.each(BACKENDS)('properties (%s)', (crypto) => {
  const signer = createSigner({ secrets: SECRET, crypto, clock: clockAt() });
  const verifier = createVerifier({
    secrets: SECRET,
    crypto,
    clock: clockAt(),
    store: false,
    toleranceSec: 3600,
    futureToleranceSec: 3600,
  });
  const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
  const body = fc.uint8Array({ minLength: 0, maxLength: 512 });
  const offset = fc.integer({ min: -3000, max: 3000 });

  it('a signed message verifies; changing any one byte of the body is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        id,
        body,
        offset,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (msgId, bytes, off, at, xor) => {
          const headers = await signer.sign({ id: msgId, timestamp: NOW_SEC + off, body: bytes });
          expect((await verifier.verify({ headers, body: bytes })).id).toBe(msgId);
          if (bytes.length === 0) return;
          const changed = bytes.slice();
          changed[at % bytes.length]! ^= xor;
          expect(await refused(verifier.verify({ headers, body: changed }))).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('changing one character of the id, the timestamp or the signature is refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        id,
        body,
        offset,
        fc.constantFrom('webhook-id', 'webhook-timestamp', 'webhook-signature'),
        fc.nat(),
        fc.nat(),
        async (msgId, bytes, off, header, at, delta) => {
          const headers = await signer.sign({ id: msgId, timestamp: NOW_SEC + off, body: bytes });
          const value = headers[header]!;
          // Keep the `v1,` prefix: changing it only hides the signature, which is refused too but less interesting.
          const start = header === 'webhook-signature' ? 3 : 0;
          const changed = value.slice(0, start) + mutate(value.slice(start), at, delta);
          expect(
            await refused(
              verifier.verify({ headers: { ...headers, [header]: changed }, body: bytes }),
            ),
          ).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('provider schemes: changing one character of the body or signature header is refused', async () => {
    const all = [schemes.stripe, schemes.github, schemes.shopify, schemes.slack];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all),
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.nat(),
        fc.boolean(),
        async (scheme, text, at, delta, inBody) => {
          const s = createSigner({ scheme, secrets: 'provider-secret', crypto, clock: clockAt() });
          const v = createVerifier({
            scheme,
            secrets: 'provider-secret',
            crypto,
            clock: clockAt(),
            store: false,
          });
          const headers = await s.sign({ body: text });
          await expect(v.verify({ headers, body: text })).resolves.toBeDefined();
          const sigHeader = scheme.headerNames[0]!;
          const input = inBody
            ? { headers, body: mutate(text, at, delta) }
            : {
                headers: { ...headers, [sigHeader]: mutate(headers[sigHeader]!, at, delta) },
                body: text,
              };
          expect(await refused(v.verify(input))).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('custom schemes: moving bytes between a signed id and the body never verifies', async () => {
    const scheme = defineHmacScheme({
      name: 'resplit',
      signatureHeader: 'x-sig',
      timestampHeader: 'x-ts',
      idHeader: 'x-id',
      signedContent: '{timestamp}.{id}.{body}',
    });
    const s = createSigner({ scheme, secrets: 'provider-secret', crypto, clock: clockAt() });
    const v = createVerifier({ scheme, secrets: 'provider-secret', crypto, clock: clockAt() });
    await fc.assert(
      fc.asyncProperty(
        id,
        fc.array(fc.stringMatching(/^[a-z0-9=&]{0,12}$/), { minLength: 2, maxLength: 6 }),
        fc.nat(),
        async (msgId, fields, cut) => {
          const text = fields.join('.');
          const headers = await s.sign({ id: msgId, body: text });
          // The same signed bytes, with the first k body fields moved into the id.
          const k = 1 + (cut % (fields.length - 1));
          const forged = {
            headers: { ...headers, 'x-id': [msgId, ...fields.slice(0, k)].join('.') },
            body: fields.slice(k).join('.'),
          };
          expect(await refused(v.verify(forged))).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('arbitrary header values never throw anything but a WebhookError', async () => {
    const acme = defineHmacScheme({
      name: 'acme',
      signatureHeader: 'x-sig',
      signatureSeparator: ',',
      timestampHeader: 'x-ts',
      signedContent: '{timestamp}.{body}',
    });
    const all = [
      schemes.standard,
      schemes.stripe,
      schemes.github,
      schemes.shopify,
      schemes.slack,
      schemes.twilio,
      acme,
    ];
    const names = [
      'webhook-id',
      'webhook-timestamp',
      'webhook-signature',
      'svix-signature',
      'stripe-signature',
      'x-hub-signature-256',
      'x-shopify-hmac-sha256',
      'x-slack-signature',
      'x-slack-request-timestamp',
      'x-twilio-signature',
      'x-sig',
      'x-ts',
      'WEBHOOK-ID',
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      fc.stringMatching(/^(v1a?,[A-Za-z0-9+/=]{0,90} ?){0,12}$/),
      fc.stringMatching(/^(t=[0-9]{0,12},?)?(v[01]=[0-9a-f]{0,64},?){0,20}$/),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all),
        fc.dictionary(fc.constantFrom(...names), value),
        async (scheme, headers) => {
          await expectOnlyWebhookErrors(scheme, headers, crypto);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });

  it('a Headers-like object whose get() returns anything never throws but a WebhookError', async () => {
    const all = [
      schemes.standard,
      schemes.stripe,
      schemes.github,
      schemes.shopify,
      schemes.slack,
      schemes.twilio,
    ];
    // Not just strings: what a framework's headers object might hand back.
    const value = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constant(null),
      fc.constant(undefined),
      fc.integer(),
      fc.boolean(),
      fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }),
      fc.object({ maxDepth: 1 }),
      fc.constant(Symbol('h')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all),
        fc.func(value),
        fc.array(fc.constantFrom(...all.flatMap((s) => s.headerNames)), { maxLength: 4 }),
        async (scheme, pick, present) => {
          // Names the scheme reads get a string or a non-string at random; others get null.
          const headers = {
            get: (name: string): string | null =>
              (present.includes(name) ? pick(name) : null) as string | null,
          };
          await expectOnlyWebhookErrors(scheme, headers, crypto);
        },
      ),
      { numRuns: RUNS * 2 },
    );
    // The case the review found: get() returning a number for the signature header.
    const headers = { get: (n: string) => (n === 'x-hub-signature-256' ? 42 : null) as never };
    const github = createVerifier({ scheme: schemes.github, secrets: 's', crypto, store: false });
    await expect(github.verify({ headers, body: 'x' })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
      header: 'x-hub-signature-256',
    });
  });
});
