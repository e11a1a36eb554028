// A signature header sent twice reaches the verifier joined with ", " (Node's IncomingMessage for
// headers it does not know, and Fetch's Headers.append). Where the scheme's grammar has no
// comma-joined form, that is a duplicate header and must be refused, never verified.
import { createSigner, createVerifier, schemes } from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { clockAt, rejection, SECRET } from './helpers.ts';

const body = '{"type":"ping"}';

describe('a signature header sent twice', () => {
  it('standard: two webhook-signature headers (Headers.append) are refused as malformed', async () => {
    const clock = clockAt();
    const signed = await createSigner({ secrets: SECRET, clock }).sign({ body });
    const headers = new Headers(signed);
    headers.append('webhook-signature', signed['webhook-signature'] as string);
    expect(headers.get('webhook-signature')).toContain(', ');
    const error = await rejection(
      createVerifier({ secrets: SECRET, clock }).verify({ headers, body }),
    );
    expect(error).toMatchObject({
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
      header: 'webhook-signature',
    });
  });

  it("standard: a Node record with the values joined by ', ' is refused as malformed", async () => {
    const clock = clockAt();
    const signed = await createSigner({ secrets: SECRET, clock }).sign({ body });
    const joined = `${signed['webhook-signature']}, v1,AAAA`;
    const error = await rejection(
      createVerifier({ secrets: SECRET, clock }).verify({
        headers: { ...signed, 'webhook-signature': joined },
        body,
      }),
    );
    expect(error).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED' });
  });

  for (const name of ['github', 'shopify', 'slack'] as const) {
    it(`${name}: the signature header joined with ", " is refused as malformed`, async () => {
      const clock = clockAt();
      const scheme = schemes[name];
      const signed = await createSigner({ scheme, secrets: 'text-secret', clock }).sign({ body });
      const header = scheme.headerNames[0] as string;
      const headers = new Headers(signed);
      headers.append(header, signed[header] as string);
      const error = await rejection(
        createVerifier({ scheme, secrets: 'text-secret', clock }).verify({ headers, body }),
      );
      expect(error).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED', header });
    });
  }

  it('twilio: X-Twilio-Signature sent twice is refused as malformed', async () => {
    const url = 'https://hooks.example.com/sms';
    const form = 'Body=hi&From=%2B1555';
    const signed = await createSigner({ scheme: schemes.twilio, secrets: 'tok' }).sign({
      body: form,
      url,
    });
    const headers = new Headers(signed);
    headers.append('x-twilio-signature', signed['x-twilio-signature'] as string);
    const error = await rejection(
      createVerifier({ scheme: schemes.twilio, secrets: 'tok' }).verify({
        headers,
        body: form,
        url,
      }),
    );
    expect(error).toMatchObject({
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
      header: 'x-twilio-signature',
    });
  });

  it('stripe (whose grammar is comma-joined): a second header still cannot verify', async () => {
    const clock = clockAt();
    const signed = await createSigner({ scheme: schemes.stripe, secrets: 'whsec_x', clock }).sign({
      body,
    });
    const headers = new Headers(signed);
    headers.append('stripe-signature', signed['stripe-signature'] as string);
    const error = await rejection(
      createVerifier({ scheme: schemes.stripe, secrets: 'whsec_x', clock }).verify({
        headers,
        body,
      }),
    );
    expect(error).toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED' });
  });
});
