// A Standard Webhooks secret is "whsec_" + base64, the prefix written once in lower case. Upper
// case or a doubled prefix is a copy-paste mistake: "WHSEC_" and "whsec_" are base64url text, so
// read as base64 they give a wrong key that silently never matches. Refused at construction.
import { createSigner, createVerifier, explain } from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { clockAt, NOW_SEC, SECRET } from './helpers.ts';

const KEY = SECRET.slice('whsec_'.length);

describe('Standard Webhooks secret prefix', () => {
  for (const bad of [`WHSEC_${KEY}`, `Whsec_${KEY}`, `whsec_whsec_${KEY}`, `whsec_WHSEC_${KEY}`]) {
    it(`refuses ${bad.slice(0, 12)}… with ERR_WEBHOOK_SECRET_MALFORMED`, () => {
      for (const make of [
        () => createVerifier({ secrets: bad }),
        () => createSigner({ secrets: bad }),
      ]) {
        let error: unknown;
        try {
          make();
        } catch (e) {
          error = e;
        }
        expect(error).toMatchObject({ code: 'ERR_WEBHOOK_SECRET_MALFORMED' });
        expect(String((error as Error).message)).not.toContain(KEY);
      }
    });
  }

  it('still accepts the secret with its prefix once, and the bare base64', () => {
    expect(() => createVerifier({ secrets: SECRET })).not.toThrow();
    expect(() => createVerifier({ secrets: KEY })).not.toThrow();
  });
});

describe('explain() and a Stripe secret with surrounding whitespace', () => {
  it('says the secret has whitespace around it', async () => {
    const { schemes } = await import('@portcullis/webhooks');
    const clock = clockAt();
    const body = '{"id":"evt_1"}';
    const headers = await createSigner({
      scheme: schemes.stripe,
      secrets: 'whsec_abc',
      clock,
    }).sign({
      body,
      timestamp: NOW_SEC,
    });
    const diagnosis = await explain({
      scheme: schemes.stripe,
      secrets: ' whsec_abc\n',
      headers,
      body,
      clock,
    });
    expect(diagnosis.ok).toBe(false);
    expect(diagnosis.code).toBe('ERR_WEBHOOK_SIGNATURE_MISMATCH');
    expect(diagnosis.likelyCauses[0]).toMatch(/whitespace/);
    expect(JSON.stringify(diagnosis)).not.toContain('whsec_abc');
  });
});
