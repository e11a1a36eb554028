import { createSigner, explain, generateKeyPair, schemes } from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { BACKENDS, clockAt, NOW_SEC, OTHER_SECRET, SECRET } from './helpers.ts';

const pretty = JSON.stringify({ type: 'invoice.paid', data: { id: 'in_1' } }, null, 2);

describe.each(BACKENDS)('explain (%s)', (crypto) => {
  const sign = (body: string, timestamp = NOW_SEC) =>
    createSigner({ secrets: SECRET, crypto }).sign({ body, timestamp });

  it('says a good message verifies, and notes a match on a previous secret', async () => {
    const headers = await sign(pretty);
    const ok = await explain({ secrets: SECRET, headers, body: pretty, clock: clockAt(), crypto });
    expect(ok).toMatchObject({
      ok: true,
      failedCheck: undefined,
      skewSec: 0,
      matchedSecret: { index: 0 },
    });
    const rotated = await explain({
      secrets: [OTHER_SECRET, { label: 'old', secret: SECRET }],
      headers,
      body: pretty,
      clock: clockAt(),
      crypto,
    });
    expect(rotated.likelyCauses.join(' ')).toMatch(/secret #1 \(old\)/);
  });

  it('names clock skew in seconds', async () => {
    const headers = await sign(pretty, NOW_SEC - 900);
    const d = await explain({ secrets: SECRET, headers, body: pretty, clock: clockAt(), crypto });
    expect(d).toMatchObject({
      ok: false,
      failedCheck: 'timestamp',
      code: 'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      skewSec: 900,
    });
    expect(d.likelyCauses[0]).toMatch(/900 s/);
    const ahead = await explain({
      secrets: SECRET,
      headers: await sign(pretty, NOW_SEC + 120),
      body: pretty,
      clock: clockAt(),
      crypto,
    });
    expect(ahead.likelyCauses[0]).toMatch(/Clock skew of 120 s/);
  });

  it('spots a body that was parsed and serialised again', async () => {
    const headers = await sign(pretty);
    const reserialised = JSON.stringify(JSON.parse(pretty));
    const d = await explain({
      secrets: SECRET,
      headers,
      body: reserialised,
      clock: clockAt(),
      crypto,
    });
    expect(d).toMatchObject({ failedCheck: 'signature', code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH' });
    expect(d.likelyCauses[0]).toMatch(/parsed as JSON and serialised again/);
    const parsed = await explain({
      secrets: SECRET,
      headers,
      body: JSON.parse(pretty),
      clock: clockAt(),
      crypto,
    });
    expect(parsed.likelyCauses[0]).toMatch(/not raw bytes/);
  });

  it('says wrong secret or environment, and the wrong way of reading a secret', async () => {
    const headers = await sign(pretty);
    const wrong = await explain({
      secrets: OTHER_SECRET,
      headers,
      body: pretty,
      clock: clockAt(),
      crypto,
    });
    expect(wrong.likelyCauses.at(-1)).toMatch(/test vs live/);
    // A Standard Webhooks secret configured on a scheme that uses the text as the key.
    const stripeHeaders = await createSigner({
      scheme: schemes.stripe,
      secrets: SECRET.slice(6),
      crypto,
    }).sign({ body: pretty, timestamp: NOW_SEC });
    const decoded = await explain({
      scheme: schemes.stripe,
      secrets: SECRET,
      headers: stripeHeaders,
      body: pretty,
      clock: clockAt(),
      crypto,
    });
    expect(decoded.likelyCauses.join(' ')).toMatch(/right secret, read the wrong way/);
  });

  it('says wrong scheme when the headers belong to another provider', async () => {
    const headers = await createSigner({ scheme: schemes.github, secrets: 'gh', crypto }).sign({
      body: pretty,
    });
    const d = await explain({ secrets: SECRET, headers, body: pretty, clock: clockAt(), crypto });
    expect(d).toMatchObject({
      failedCheck: 'headers',
      code: 'ERR_WEBHOOK_HEADER_MISSING',
      detectedSchemes: ['github'],
    });
    expect(d.likelyCauses[0]).toMatch(/schemes\.github/);
  });

  it("says Twilio's JSON variant (bodySHA256 in the URL) is not supported", async () => {
    const url = 'https://example.com/hooks/status?bodySHA256=00';
    const d = await explain({
      scheme: schemes.twilio,
      secrets: 'tok',
      headers: { 'x-twilio-signature': 'c2ln' },
      body: '',
      url,
      crypto,
    });
    expect(d).toMatchObject({
      ok: false,
      failedCheck: 'headers',
      code: 'ERR_WEBHOOK_HEADER_MALFORMED',
    });
    expect(d.likelyCauses.join(' ')).toMatch(/JSON webhooks/);
  });

  it('reports malformed secrets and never prints a secret or an expected signature', async () => {
    const bad = await explain({ secrets: 'whsec_###', headers: {}, body: '', crypto });
    expect(bad).toMatchObject({ failedCheck: 'secret', code: 'ERR_WEBHOOK_SECRET_MALFORMED' });
    const { secretKey } = await generateKeyPair();
    const headers = await sign(pretty);
    const expected = headers['webhook-signature']!.slice(3);
    for (const secrets of [OTHER_SECRET, SECRET, secretKey.reveal()]) {
      const text = JSON.stringify(
        await explain({
          secrets,
          headers: { ...headers, 'webhook-signature': 'v1,AAAA' },
          body: pretty,
          clock: clockAt(),
          crypto,
        }),
      );
      expect(text).not.toContain(secrets.slice(6));
      expect(text).not.toContain(expected);
    }
  });
});
