// The built `portcullis` binary as a user runs it: webhook sign → verify round trips for every
// scheme (headers as -H flags and as a raw HTTP request file), tampering, explain, secrets from
// a file, stdin and the environment, --help of every command, exit codes. No secret is printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, headerFlags, parsed, portcullis } from './binary.ts';

const SECRETS: Record<string, string> = {
  standard: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  stripe: 'whsec_stripe_test_secret_0123456789',
  github: 'github-secret-0123456789abcdef',
  shopify: 'shopify-secret-0123456789abcdef',
  slack: 'slack-signing-secret-0123456789',
  twilio: 'twilio-auth-token-0123456789ab',
  custom: 'acme-secret-0123456789abcdef',
};
const EXTRA: Record<string, string[]> = {
  custom: [
    '--signature-header',
    'x-acme-signature',
    '--signature-prefix',
    'sha256=',
    '--timestamp-header',
    'x-acme-timestamp',
    '--signed-content',
    '{timestamp}.{body}',
  ],
  twilio: ['--url', 'https://hooks.example.com/twilio/sms'],
};
const BODY = '{"type":"invoice.paid","data":{"id":"in_1","amount":1000}}';

let dir: string;
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const noSecret = (r: { stdout: string; stderr: string }, secret: string) =>
  expect(r.stdout.includes(secret) || r.stderr.includes(secret), 'a secret was printed').toBe(
    false,
  );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-bin-'));
  await ensureBuilt();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.concurrent('portcullis webhook (built binary)', () => {
  it.each(Object.keys(SECRETS))(
    '%s: sign then verify round-trips, a tampered body exits 1 with the code',
    async (scheme) => {
      const args = ['--scheme', scheme, ...(EXTRA[scheme] ?? [])];
      const secret = SECRETS[scheme] as string;
      const body = file(
        `${scheme}.body`,
        scheme === 'twilio' ? 'From=%2B15550001&Body=hello' : BODY,
      );
      const env = { WEBHOOK_SECRET: secret };
      const signed = await portcullis(
        ['webhook', 'sign', ...args, '--secret-env', 'WEBHOOK_SECRET', '--body', body, '--json'],
        { env },
      );
      expect(signed.code).toBe(0);
      const headers = parsed(signed).headers as Record<string, string>;
      const verify = (bodyPath: string) =>
        portcullis(
          [
            'webhook',
            'verify',
            ...args,
            '--secret-env',
            'WEBHOOK_SECRET',
            '--body',
            bodyPath,
            ...headerFlags(headers),
          ],
          { env },
        );
      const [good, bad, http] = await Promise.all([
        verify(body),
        verify(
          file(
            `${scheme}.tampered`,
            scheme === 'twilio' ? 'From=%2B15550001&Body=hellO' : BODY.replace('1000', '1'),
          ),
        ),
        portcullis(
          ['webhook', 'sign', ...args, '--secret-env', 'WEBHOOK_SECRET', '--body', body, '--http'],
          { env },
        ),
      ]);
      expect(good.code).toBe(0);
      expect(good.stdout).toContain(`verified (${scheme})`);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('portcullis: ERR_WEBHOOK_SIGNATURE_MISMATCH');
      const fromRequest = await portcullis(
        [
          'webhook',
          'verify',
          ...args,
          '--secret-env',
          'WEBHOOK_SECRET',
          '--request',
          '-',
          '--json',
        ],
        { env, stdin: http.stdout },
      );
      expect(fromRequest.code).toBe(0);
      expect(parsed(fromRequest)).toMatchObject({
        ok: true,
        command: 'webhook verify',
        verified: true,
      });
      for (const r of [signed, good, bad, http, fromRequest]) noSecret(r, secret);
    },
  );

  it('standard v1a: signs with an Ed25519 secret key, verifies with the public key alone', async () => {
    const pair = parsed(await portcullis(['secret', 'generate', '--ed25519', '--json'])) as {
      secretKey: string;
      publicKey: string;
    };
    const body = file('v1a.body', BODY);
    const signed = await portcullis(
      ['webhook', 'sign', '--secret-stdin', '--body', body, '--json'],
      { stdin: pair.secretKey },
    );
    const headers = parsed(signed).headers as Record<string, string>;
    expect(headers['webhook-signature']).toMatch(/^v1a,/);
    const verified = await portcullis(
      ['webhook', 'verify', '--secret-env', 'PUB', '--body', body, ...headerFlags(headers)],
      { env: { PUB: pair.publicKey } },
    );
    expect(verified.code).toBe(0);
    noSecret(signed, pair.secretKey);
  });

  it('explain names a body that was parsed and serialised again, and the secret comes from a file', async () => {
    const secretFile = file('stripe.secret', `${SECRETS.stripe}\n`);
    const signed = await portcullis([
      'webhook',
      'sign',
      '--scheme',
      'stripe',
      '--secret-file',
      secretFile,
      '--body',
      file('raw.json', BODY),
      '--json',
    ]);
    const headers = parsed(signed).headers as Record<string, string>;
    const pretty = file('pretty.json', JSON.stringify(JSON.parse(BODY), null, 2));
    const explained = await portcullis([
      'webhook',
      'explain',
      '--scheme',
      'stripe',
      '--secret-file',
      secretFile,
      '--body',
      pretty,
      ...headerFlags(headers),
    ]);
    expect(explained.code).toBe(1);
    expect(explained.stdout).toContain('likely causes:');
    expect(explained.stdout).toContain(
      'the body was parsed as JSON and serialised again (a body parser ran before verification)',
    );
    expect(explained.stderr).toContain('ERR_WEBHOOK_SIGNATURE_MISMATCH');
    const json = await portcullis([
      'webhook',
      'explain',
      '--scheme',
      'stripe',
      '--secret-file',
      secretFile,
      '--body',
      pretty,
      ...headerFlags(headers),
      '--json',
    ]);
    expect(parsed(json)).toMatchObject({
      ok: false,
      command: 'webhook explain',
      diagnosis: {
        ok: false,
        failedCheck: 'signature',
        scheme: 'stripe',
        detectedSchemes: ['stripe'],
      },
      error: { code: 'ERR_WEBHOOK_SIGNATURE_MISMATCH', exitCode: 1 },
    });
    for (const r of [signed, explained, json]) noSecret(r, SECRETS.stripe as string);
  });

  it('explain names the wrong scheme', async () => {
    const signed = await portcullis(
      [
        'webhook',
        'sign',
        '--scheme',
        'github',
        '--secret-env',
        'S',
        '--body',
        file('gh.json', BODY),
        '--json',
      ],
      { env: { S: SECRETS.standard as string } },
    );
    const headers = parsed(signed).headers as Record<string, string>;
    const explained = await portcullis(
      [
        'webhook',
        'explain',
        '--secret-env',
        'S',
        '--body',
        file('gh2.json', BODY),
        ...headerFlags(headers),
      ],
      { env: { S: SECRETS.standard as string } },
    );
    expect(explained.code).toBe(1);
    expect(explained.stdout).toContain("Wrong scheme: the headers look like github's");
  });

  it('exits 2 with ERR_CLI_SECRET_MISSING when no secret is given, and never takes one as an option value', async () => {
    const body = file('b.json', BODY);
    const [none, onCli] = await Promise.all([
      portcullis(['webhook', 'verify', '--body', body]),
      portcullis(['webhook', 'verify', '--body', body, '--secret', 'whsec_hunter2hunter2hunter2']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('ERR_CLI_SECRET_MISSING');
    expect(onCli.code).toBe(2);
    expect(onCli.stderr).toContain('ERR_CLI_USAGE');
    noSecret(onCli, 'hunter2');
  });
});

const COMMANDS = [
  [],
  ['webhook'],
  ['webhook', 'sign'],
  ['webhook', 'verify'],
  ['webhook', 'explain'],
  ['secret'],
  ['secret', 'generate'],
  ['apikey'],
  ['apikey', 'create'],
  ['apikey', 'check'],
  ['token'],
  ['token', 'get'],
  ['jwt'],
  ['jwt', 'verify'],
  ['audit'],
  ['audit', 'verify'],
  ['ssrf'],
  ['ssrf', 'check'],
];

describe('portcullis --help (built binary)', () => {
  it('prints help for every command and exits 0', async () => {
    const results = await Promise.all(COMMANDS.map((c) => portcullis([...c, '--help'])));
    results.forEach((r, i) => {
      const path = ['portcullis', ...(COMMANDS[i] ?? [])].join(' ');
      expect(r.code, path).toBe(0);
      expect(r.stdout, path).toContain(`Usage: ${path}`);
      expect(r.stderr, path).toBe('');
      if ((COMMANDS[i] ?? []).length === 2) expect(r.stdout, path).toContain('--json');
    });
  });

  it('exits 2 on a usage error, with the code', async () => {
    const r = await portcullis(['ssrf', 'check']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('portcullis: ERR_CLI_USAGE: missing required argument');
  });
});
