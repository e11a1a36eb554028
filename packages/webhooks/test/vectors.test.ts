import { createSigner, createVerifier, defineHmacScheme, schemes } from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { BACKENDS, clockAt, SECRET } from './helpers.ts';

// RFC 4231 §4: HMAC-SHA-256 test cases (key and data in hex; case 5's truncated output left out).
const RFC4231 = [
  {
    name: 'case 1',
    key: '0b'.repeat(20),
    data: '4869205468657265',
    mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
  },
  {
    name: 'case 2',
    key: '4a656665',
    data: '7768617420646f2079612077616e7420666f72206e6f7468696e673f',
    mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
  },
  {
    name: 'case 3',
    key: 'aa'.repeat(20),
    data: 'dd'.repeat(50),
    mac: '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
  },
  {
    name: 'case 4',
    key: '0102030405060708090a0b0c0d0e0f10111213141516171819',
    data: 'cd'.repeat(50),
    mac: '82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b',
  },
  {
    name: 'case 6',
    key: 'aa'.repeat(131),
    data: '54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374',
    mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
  },
  {
    name: 'case 7',
    key: 'aa'.repeat(131),
    data: '5468697320697320612074657374207573696e672061206c6172676572207468616e20626c6f636b2d73697a65206b657920616e642061206c6172676572207468616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565647320746f20626520686173686564206265666f7265206265696e6720757365642062792074686520484d414320616c676f726974686d2e',
    mac: '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
  },
];

const rfc = defineHmacScheme({
  name: 'rfc4231',
  signatureHeader: 'x-mac',
  secretEncoding: 'hex',
  encoding: 'hex',
});

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (b) => Number.parseInt(b, 16));

describe.each(BACKENDS)('known vectors (%s)', (crypto) => {
  it.each(RFC4231)(
    'RFC 4231 $name: signs and verifies the published MAC',
    async ({ key, data, mac }) => {
      const signer = createSigner({ scheme: rfc, secrets: key, crypto });
      expect(await signer.sign({ body: hex(data) })).toEqual({ 'x-mac': mac });
      const verifier = createVerifier({ scheme: rfc, secrets: key, crypto, store: false });
      await expect(
        verifier.verify({ headers: { 'x-mac': mac }, body: hex(data) }),
      ).resolves.toMatchObject({
        matchedSecret: { index: 0 },
      });
    },
  );

  it('Standard Webhooks reference libraries (standardwebhooks, svix) test vector: the published signature', async () => {
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const timestamp = 1614265330;
    const body = '{"test": 2432232314}';
    const expected = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
    const headers = await createSigner({ secrets: SECRET, crypto }).sign({ id, timestamp, body });
    expect(headers).toEqual({
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': expected,
    });
    const verifier = createVerifier({ secrets: SECRET, crypto, clock: clockAt(timestamp) });
    await expect(verifier.verify({ headers, body })).resolves.toEqual({
      id,
      idSigned: true,
      timestamp,
      matchedSecret: { index: 0 },
      scheme: 'standard',
    });
  });

  it("the Standard Webhooks spec's example headers parse into one v1 and one v1a signature", async () => {
    // From the spec's "Webhook headers" section (the spec does not publish the secret behind them).
    const headers = {
      'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      'webhook-timestamp': '1674087231',
      'webhook-signature':
        'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
    };
    // Two items: one more than maxSignatures 1 allows, and both read (v1 and v1a) under 2.
    await expect(
      createVerifier({
        secrets: SECRET,
        crypto,
        clock: clockAt(1674087231),
        maxSignatures: 1,
      }).verify({
        headers,
        body: '{}',
      }),
    ).rejects.toMatchObject({ code: 'ERR_WEBHOOK_HEADER_MALFORMED' });
    // Well formed, so a verifier with another secret reaches the signature check and refuses there.
    const body =
      '{"type":"contact.created","timestamp":"2022-11-03T20:26:10.344522Z","data":{"id":"1f81eb52-5198-4599-803e-771906343485"}}';
    const verifier = createVerifier({
      secrets: SECRET,
      crypto,
      clock: clockAt(1674087231),
      store: false,
    });
    await expect(verifier.verify({ headers, body })).rejects.toMatchObject({
      code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH',
    });
  });

  it("Twilio's published request-validation example", async () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const body =
      'CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212';
    const headers = { 'x-twilio-signature': 'RSOYDt4T1cUTdK1PDd93/VVr8B8=' };
    const verifier = createVerifier({
      scheme: schemes.twilio,
      secrets: '12345',
      crypto,
      store: false,
    });
    await expect(verifier.verify({ headers, body, url })).resolves.toMatchObject({
      scheme: 'twilio',
    });
    expect(
      await createSigner({ scheme: schemes.twilio, secrets: '12345', crypto }).sign({ body, url }),
    ).toEqual(headers);
  });

  it("Slack's and GitHub's published examples", async () => {
    // Slack, "Verifying requests from Slack".
    const slackBody =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const slackHeaders = {
      'X-Slack-Request-Timestamp': '1531420618',
      'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    };
    const slack = createVerifier({
      scheme: schemes.slack,
      secrets: '8f742231b10e8888abcd99yyyzzz85a5',
      crypto,
      clock: clockAt(1531420618),
    });
    await expect(slack.verify({ headers: slackHeaders, body: slackBody })).resolves.toMatchObject({
      timestamp: 1531420618,
    });
    // GitHub, "Validating webhook deliveries".
    const github = createVerifier({
      scheme: schemes.github,
      secrets: "It's a Secret to Everybody",
      crypto,
      store: false,
    });
    const githubHeaders = {
      'X-Hub-Signature-256':
        'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    };
    await expect(
      github.verify({ headers: githubHeaders, body: 'Hello, World!' }),
    ).resolves.toMatchObject({ scheme: 'github' });
  });
});
