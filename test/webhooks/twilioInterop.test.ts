// Interop with Twilio's own library (`twilio` 5.x): what it signs we verify, what we sign its
// validateRequest accepts. Its validator accepts the URL with and without the default port, and
// de-duplicates repeated form parameters (a name sent twice with the same value counts once).
import { createSigner, createVerifier, schemes } from '@portcullis/webhooks';
import fc from 'fast-check';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';

const token = '12345abcdef-twilio-token';
const { getExpectedTwilioSignature, validateRequest } = twilio;

/** Twilio's params object for a form body: a name sent more than once holds an array. */
function params(form: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(form)) {
    const held = out[name];
    out[name] = held === undefined ? value : Array.isArray(held) ? [...held, value] : [held, value];
  }
  return out;
}

const verifier = createVerifier({ scheme: schemes.twilio, secrets: token, store: false });
const signer = createSigner({ scheme: schemes.twilio, secrets: token });
const cases = [
  { form: 'Body=hi&From=%2B15550001', why: 'plain form' },
  { form: 'MediaUrl=a&MediaUrl=a&Body=x', why: 'a repeated parameter with one value' },
  { form: 'To=b&To=a&To=b', why: 'a repeated parameter with values out of order' },
];
const urls = [
  ['https://hooks.example.com/sms', 'https://hooks.example.com:443/sms'],
  ['https://hooks.example.com:443/sms?x=1', 'https://hooks.example.com/sms?x=1'],
  ['http://hooks.example.com/sms', 'http://hooks.example.com:80/sms'],
] as const;

describe('twilio interop', () => {
  for (const { form, why } of cases) {
    for (const [signedUrl, otherUrl] of urls) {
      it(`twilio signs (${why}) for ${signedUrl}: we verify it at ${signedUrl} and ${otherUrl}`, async () => {
        const signature = getExpectedTwilioSignature(token, signedUrl, params(form));
        const headers = { 'x-twilio-signature': signature };
        expect(validateRequest(token, signature, otherUrl, params(form))).toBe(true);
        await expect(
          verifier.verify({ headers, body: form, url: signedUrl }),
        ).resolves.toBeDefined();
        await expect(
          verifier.verify({ headers, body: form, url: otherUrl }),
        ).resolves.toBeDefined();
      });

      it(`we sign (${why}) for ${signedUrl}: twilio's validateRequest accepts it at ${signedUrl} and ${otherUrl}`, async () => {
        const headers = await signer.sign({ body: form, url: signedUrl });
        const signature = headers['x-twilio-signature'] as string;
        expect(validateRequest(token, signature, signedUrl, params(form))).toBe(true);
        expect(validateRequest(token, signature, otherUrl, params(form))).toBe(true);
      });
    }
  }

  it('neither accepts a signature for another path, or another non-default port', async () => {
    const form = 'Body=hi';
    const signature = getExpectedTwilioSignature(
      token,
      'https://hooks.example.com/a',
      params(form),
    );
    const headers = { 'x-twilio-signature': signature };
    expect(validateRequest(token, signature, 'https://hooks.example.com/b', params(form))).toBe(
      false,
    );
    await expect(
      verifier.verify({ headers, body: form, url: 'https://hooks.example.com/b' }),
    ).rejects.toMatchObject({ code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH' });
    await expect(
      verifier.verify({ headers, body: form, url: 'https://hooks.example.com:8443/a' }),
    ).rejects.toMatchObject({ code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH' });
  });

  it('property: for any form body and URL spelling, we and twilio agree both ways', async () => {
    const name = fc.constantFrom('Body', 'From', 'To', 'MediaUrl0', 'a', 'A', 'é');
    const value = fc.string({ maxLength: 6 });
    const form = fc
      .array(fc.tuple(name, value), { maxLength: 6 })
      .map((pairs) => new URLSearchParams(pairs).toString());
    const url = fc.constantFrom(
      ['https://hooks.example.com/sms', 'https://hooks.example.com:443/sms'],
      ['http://hooks.example.com/in?x=1', 'http://hooks.example.com:80/in?x=1'],
    );
    await fc.assert(
      fc.asyncProperty(form, url, fc.boolean(), async (body, [a, b], flip) => {
        const [signedUrl, otherUrl] = flip ? [b, a] : [a, b];
        const theirs = getExpectedTwilioSignature(token, signedUrl, params(body));
        const ours = (await signer.sign({ body, url: signedUrl }))['x-twilio-signature'];
        expect(ours).toBe(theirs);
        for (const at of [signedUrl, otherUrl]) {
          expect(validateRequest(token, theirs, at, params(body))).toBe(true);
          await expect(
            verifier.verify({ headers: { 'x-twilio-signature': theirs }, body, url: at }),
          ).resolves.toBeDefined();
        }
      }),
      { numRuns: 150 },
    );
  });
});
