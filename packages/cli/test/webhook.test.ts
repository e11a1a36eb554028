import { generateKeyPair } from '@portcullis/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cli, fakeIo, json, printedNone, tempDir } from './helpers.ts';

const NOW = 1_800_000_000_000;
const SECRETS: Record<string, string> = {
  standard: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  stripe: 'whsec_stripe_test_secret_0123456789',
  github: 'github-secret-0123456789abcdef',
  shopify: 'shopify-secret-0123456789abcdef',
  slack: 'slack-signing-secret-0123456789',
  twilio: 'twilio-auth-token-0123456789ab',
  custom: 'acme-secret-0123456789abcdef',
};
const CUSTOM = [
  '--signature-header',
  'x-acme-signature',
  '--signature-prefix',
  'sha256=',
  '--timestamp-header',
  'x-acme-timestamp',
  '--signed-content',
  '{timestamp}.{body}',
];
const TWILIO_URL = 'https://hooks.example.com/twilio/sms?x=1';

function schemeArgs(scheme: string): string[] {
  return [
    '--scheme',
    scheme,
    ...(scheme === 'custom' ? CUSTOM : []),
    ...(scheme === 'twilio' ? ['--url', TWILIO_URL] : []),
  ];
}

const io = (scheme: string) =>
  fakeIo({ env: { WEBHOOK_SECRET: SECRETS[scheme] as string }, now: NOW });

async function sign(scheme: string, body: string, extra: string[] = []) {
  const { file } = tempDir();
  const path = file('body', body);
  const result = await cli(
    [
      'webhook',
      'sign',
      ...schemeArgs(scheme),
      '--secret-env',
      'WEBHOOK_SECRET',
      '--body',
      path,
      ...extra,
    ],
    io(scheme),
  );
  return { result, path, file };
}

describe('webhook sign | verify | explain, in process', () => {
  it.each(Object.keys(SECRETS))(
    'signs and verifies %s with -H headers, and refuses a tampered body',
    async (scheme) => {
      const body =
        scheme === 'twilio' ? 'From=%2B15550001&Body=hello' : '{"type":"invoice.paid","id":"in_1"}';
      const { result, path, file } = await sign(scheme, body, ['--json']);
      expect(result.exitCode).toBe(0);
      const headers = json(result).headers as Record<string, string>;
      const flags = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
      const verify = (bodyPath: string) =>
        cli(
          [
            'webhook',
            'verify',
            ...schemeArgs(scheme),
            '--secret-env',
            'WEBHOOK_SECRET',
            '--body',
            bodyPath,
            ...flags,
            '--json',
          ],
          io(scheme),
        );
      const good = await verify(path);
      expect(good.exitCode).toBe(0);
      expect(json(good)).toMatchObject({
        ok: true,
        command: 'webhook verify',
        verified: true,
        scheme: scheme === 'custom' ? 'custom' : scheme,
      });
      const bad = await verify(file('tampered', body.replace('1', '2')));
      expect(bad.exitCode).toBe(1);
      expect(json(bad)).toMatchObject({
        ok: false,
        verified: false,
        error: { code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH', exitCode: 1 },
      });
      expect(printedNone(good, [SECRETS[scheme] as string])).toBe(true);
      expect(printedNone(bad, [SECRETS[scheme] as string])).toBe(true);
    },
  );

  it('signs with an Ed25519 key (v1a) that only the public key verifies', async () => {
    const { secretKey, publicKey } = await generateKeyPair();
    const { file } = tempDir();
    const body = file('body', '{"a":1}');
    const signed = await cli(
      ['webhook', 'sign', '--secret-env', 'K', '--body', body, '--json'],
      fakeIo({ env: { K: secretKey.reveal() } }),
    );
    const headers = json(signed).headers as Record<string, string>;
    expect(headers['webhook-signature']).toMatch(/^v1a,/);
    const flags = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
    const verified = await cli(
      ['webhook', 'verify', '--secret-env', 'P', '--body', body, ...flags],
      fakeIo({ env: { P: publicKey } }),
    );
    expect(verified.exitCode).toBe(0);
    expect(printedNone(signed, [secretKey.reveal()])).toBe(true);
  });

  it('round-trips any body through sign --http and verify --request (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.constantFrom('standard', 'stripe', 'github', 'slack'),
        async (body, scheme) => {
          const { result, file } = await sign(scheme, body, [
            '--http',
            '--url',
            'https://hooks.example.com/in?a=1',
          ]);
          expect(result.exitCode).toBe(0);
          const request = file('request.http', result.stdout);
          const verified = await cli(
            [
              'webhook',
              'verify',
              ...schemeArgs(scheme),
              '--secret-env',
              'WEBHOOK_SECRET',
              '--request',
              request,
            ],
            io(scheme),
          );
          expect(verified.exitCode).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a malformed request file with ERR_CLI_REQUEST_MALFORMED', async () => {
    const { file } = tempDir();
    for (const text of [
      'no blank line',
      'GET\n\n',
      'POST / HTTP/1.1\n folded: x\n\n',
      'POST / HTTP/1.1\ncontent-length: 99\n\nshort',
      'POST / HTTP/1.1\ntransfer-encoding: chunked\n\n0\r\n',
    ]) {
      const result = await cli(
        ['webhook', 'verify', '--secret-env', 'WEBHOOK_SECRET', '--request', file('r', text)],
        io('standard'),
      );
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('ERR_CLI_REQUEST_MALFORMED');
    }
  });

  it('explains a body that was parsed and serialised again', async () => {
    const body = '{"type":"invoice.paid","data":{"id":"in_1"}}';
    const { result, file } = await sign('stripe', body, ['--json']);
    const headers = json(result).headers as Record<string, string>;
    const pretty = file('pretty.json', JSON.stringify(JSON.parse(body), null, 2));
    const explained = await cli(
      [
        'webhook',
        'explain',
        '--scheme',
        'stripe',
        '--secret-env',
        'WEBHOOK_SECRET',
        '--body',
        pretty,
        '-H',
        `stripe-signature: ${headers['stripe-signature']}`,
      ],
      io('stripe'),
    );
    expect(explained.exitCode).toBe(1);
    expect(explained.stdout).toContain('failed check: signature (ERR_WEBHOOK_SIGNATURE_MISMATCH)');
    expect(explained.stdout).toContain('parsed as JSON and serialised again');
    expect(explained.stderr).toContain('portcullis: ERR_WEBHOOK_SIGNATURE_MISMATCH');
  });

  it('explains clock skew, and checks at another time with --now', async () => {
    const { result, path } = await sign('standard', '{}', ['--json']);
    const flags = Object.entries(json(result).headers as Record<string, string>).flatMap(
      ([k, v]) => ['-H', `${k}: ${v}`],
    );
    const late = fakeIo({
      env: { WEBHOOK_SECRET: SECRETS.standard as string },
      now: NOW + 3_600_000,
    });
    const explained = await cli(
      ['webhook', 'explain', '--secret-env', 'WEBHOOK_SECRET', '--body', path, ...flags, '--json'],
      late,
    );
    expect(explained.exitCode).toBe(1);
    expect(json(explained)).toMatchObject({
      error: { code: 'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE' },
      diagnosis: { failedCheck: 'timestamp', skewSec: 3600 },
    });
    const then = await cli(
      [
        'webhook',
        'verify',
        '--secret-env',
        'WEBHOOK_SECRET',
        '--body',
        path,
        ...flags,
        '--now',
        String(NOW / 1000),
      ],
      late,
    );
    expect(then.exitCode).toBe(0);
  });

  it('explains a verifying webhook with exit 0', async () => {
    const { result, path } = await sign('github', '{}', ['--json']);
    const flags = Object.entries(json(result).headers as Record<string, string>).flatMap(
      ([k, v]) => ['-H', `${k}: ${v}`],
    );
    const explained = await cli(
      [
        'webhook',
        'explain',
        '--scheme',
        'github',
        '--secret-env',
        'WEBHOOK_SECRET',
        '--body',
        path,
        ...flags,
      ],
      io('github'),
    );
    expect(explained).toMatchObject({ exitCode: 0, stderr: '' });
    expect(explained.stdout).toContain('The webhook verifies.');
  });

  it('exits 2 for a secret the scheme cannot decode, without printing it', async () => {
    const { file } = tempDir();
    const result = await cli(
      ['webhook', 'sign', '--secret-env', 'S', '--body', file('b', '{}')],
      fakeIo({ env: { S: 'whsec_not-base64!!' } }),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_WEBHOOK_SECRET_MALFORMED');
    expect(printedNone(result, ['not-base64!!'])).toBe(true);
  });

  it('reads the secret from stdin and from a file, cutting one trailing newline', async () => {
    const { file } = tempDir();
    const body = file('b', '{}');
    const fromStdin = await cli(
      ['webhook', 'sign', '--secret-stdin', '--body', body, '--timestamp', '1', '--id', 'msg_1'],
      fakeIo({ stdin: `${SECRETS.standard}\n` }),
    );
    const fromFile = await cli([
      'webhook',
      'sign',
      '--secret-file',
      file('s', `${SECRETS.standard}\r\n`),
      '--body',
      body,
      '--timestamp',
      '1',
      '--id',
      'msg_1',
    ]);
    const fromEnv = await cli(
      [
        'webhook',
        'sign',
        '--secret-env',
        'WEBHOOK_SECRET',
        '--body',
        body,
        '--timestamp',
        '1',
        '--id',
        'msg_1',
      ],
      io('standard'),
    );
    expect(fromStdin.exitCode).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromStdin.stdout).toBe(fromEnv.stdout);
  });
});
