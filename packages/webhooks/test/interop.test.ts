import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { createSigner, createVerifier, schemes } from '@portcullis/webhooks';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { Webhook as SvixWebhook } from 'svix';
import { describe, expect, it } from 'vitest';
import { BACKENDS, SECRET } from './helpers.ts';

// The providers' own libraries, both directions. They read the real clock, so these tests use it.
const body = JSON.stringify({
  type: 'invoice.paid',
  data: { id: 'in_1', amount: 4200, note: 'café ✓' },
});
const stripeSecret = 'whsec_test_5f3a9c0e1b7d4e2a8c6f0b1d3e5a7c9e';
const stripe = new Stripe('sk_test_not_used_no_network');
const nonUtf8 = Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"a":"\xff\xfe"}

describe.each(BACKENDS)('interop (%s)', (crypto) => {
  const verifier = (scheme = schemes.standard, secrets: string | string[] = SECRET) =>
    createVerifier({ scheme, secrets, crypto, store: false });

  it('standardwebhooks verifies what we sign (v1, several signatures)', async () => {
    const headers = await createSigner({
      secrets: [SECRET, 'whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      crypto,
    }).sign({ body });
    expect(new StandardWebhook(SECRET).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('we verify what standardwebhooks signs', async () => {
    const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
    const now = new Date();
    const signature = new StandardWebhook(SECRET).sign(id, now, body);
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    };
    await expect(verifier().verify({ headers, body })).resolves.toMatchObject({ id });
  });

  it('svix verifies what we sign, and we verify what svix signs (svix-* headers)', async () => {
    const headers = await createSigner({ secrets: SECRET, crypto }).sign({ body });
    expect(() => new SvixWebhook(SECRET).verify(body, headers)).not.toThrow();
    expect(() => new SvixWebhook(SECRET).verify(`${body} `, headers)).toThrow();
    const id = 'msg_svix_1';
    const now = new Date();
    const signature = new SvixWebhook(SECRET).sign(id, now, body);
    const svixHeaders = {
      'svix-id': id,
      'svix-timestamp': String(Math.floor(now.getTime() / 1000)),
      'svix-signature': signature,
    };
    await expect(verifier().verify({ headers: svixHeaders, body })).resolves.toMatchObject({ id });
  });

  it('stripe verifies what we sign (constructEvent and constructEventAsync)', async () => {
    const headers = await createSigner({
      scheme: schemes.stripe,
      secrets: stripeSecret,
      crypto,
    }).sign({ body });
    expect(
      stripe.webhooks.constructEvent(body, headers['stripe-signature']!, stripeSecret),
    ).toEqual(JSON.parse(body));
    const subtle = Stripe.createSubtleCryptoProvider();
    await expect(
      stripe.webhooks.constructEventAsync(
        body,
        headers['stripe-signature']!,
        stripeSecret,
        undefined,
        subtle,
      ),
    ).resolves.toEqual(JSON.parse(body));
  });

  it('we verify what stripe signs', async () => {
    const header = stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: stripeSecret,
    });
    await expect(
      verifier(schemes.stripe, stripeSecret).verify({
        headers: { 'Stripe-Signature': header },
        body,
      }),
    ).resolves.toMatchObject({
      scheme: 'stripe',
      idSigned: false,
    });
    const wrong = verifier(schemes.stripe, 'whsec_other');
    await expect(
      wrong.verify({ headers: { 'stripe-signature': header }, body }),
    ).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    });
  });

  it('@octokit/webhooks-methods verifies what we sign, and we verify what it signs', async () => {
    const headers = await createSigner({
      scheme: schemes.github,
      secrets: 'gh-secret',
      crypto,
    }).sign({ body });
    expect(await octokitVerify('gh-secret', body, headers['x-hub-signature-256']!)).toBe(true);
    const signature = await octokitSign('gh-secret', body);
    await expect(
      verifier(schemes.github, 'gh-secret').verify({
        headers: { 'X-Hub-Signature-256': signature, 'X-GitHub-Delivery': 'd-1' },
        body,
      }),
    ).resolves.toMatchObject({ id: 'd-1', idSigned: false, timestamp: undefined });
  });

  it('bodies that are not UTF-8 verify as bytes (signed here and by an independent HMAC over the same bytes)', async () => {
    const id = 'msg_bytes';
    const ts = String(Math.floor(Date.now() / 1000));
    const key = Buffer.from(SECRET.slice(6), 'base64');
    const mac = createHmac('sha256', key).update(`${id}.${ts}.`).update(nonUtf8).digest('base64');
    const headers = { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': `v1,${mac}` };
    await expect(verifier().verify({ headers, body: nonUtf8 })).resolves.toMatchObject({ id });
    // A lossy UTF-8 round trip (what string-only libraries do) changes the bytes and must not verify.
    const lossy = new TextEncoder().encode(new TextDecoder().decode(nonUtf8));
    await expect(verifier().verify({ headers, body: lossy })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    });
    const ours = await createSigner({ scheme: schemes.stripe, secrets: stripeSecret, crypto }).sign(
      { body: nonUtf8 },
    );
    await expect(
      verifier(schemes.stripe, stripeSecret).verify({ headers: ours, body: Buffer.from(nonUtf8) }),
    ).resolves.toBeDefined();
  });
});
