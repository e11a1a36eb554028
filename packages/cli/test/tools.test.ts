import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditLog, JsonlSink } from '@portcullis/audit';
import { describe, expect, it } from 'vitest';
import { cli, fakeIo, json, printedNone, tempDir } from './helpers.ts';

const PEPPER = 'pepper-of-at-least-32-bytes-0123456789';
const AUDIT_KEY = 'audit-key-of-at-least-32-bytes-0123456789';

describe('secret generate', () => {
  it.each([
    ['standard', /^whsec_[A-Za-z0-9+/]{43}=$/],
    ['stripe', /^whsec_/],
    ['github', /^[0-9a-f]{64}$/],
    ['slack', /^[0-9a-f]{64}$/],
  ])('writes a %s secret in its format', async (scheme, format) => {
    const result = await cli(['secret', 'generate', '--scheme', scheme, '--json']);
    expect(result.exitCode).toBe(0);
    expect(json(result).secret).toMatch(format);
  });

  it('makes an Ed25519 key pair and writes a secret to a 0600 file without printing it', async () => {
    const pair = json(await cli(['secret', 'generate', '--ed25519', '--json']));
    expect(pair).toMatchObject({
      kind: 'ed25519',
      secretKey: expect.stringMatching(/^whsk_/),
      publicKey: expect.stringMatching(/^whpk_/),
    });
    const { dir } = tempDir();
    const out = join(dir, 'secret.txt');
    const written = await cli(['secret', 'generate', '--out', out]);
    const secret = readFileSync(out, 'utf8').trim();
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(printedNone(written, [secret])).toBe(true);
    const again = await cli(['secret', 'generate', '--out', out]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('EEXIST');
  });

  it('refuses --ed25519 for another scheme', async () => {
    expect((await cli(['secret', 'generate', '--ed25519', '--scheme', 'github'])).exitCode).toBe(2);
  });
});

describe('apikey create | check', () => {
  it('issues a key into a keys file and checks it, a wrong key and a missing scope', async () => {
    const { dir } = tempDir();
    const keysFile = join(dir, 'keys.jsonl');
    const io = fakeIo({ env: { PEPPER } });
    const created = await cli(
      [
        'apikey',
        'create',
        '--prefix',
        'pc_test',
        '--owner',
        'acme',
        '--scope',
        'orders:read',
        '--secret-env',
        'PEPPER',
        '--keys-file',
        keysFile,
        '--json',
      ],
      io,
    );
    expect(created.exitCode).toBe(0);
    const { key, id } = json(created) as { key: string; id: string };
    expect(key).toMatch(/^pc_test_[0-9A-Za-z]{54}$/);
    expect(readFileSync(keysFile, 'utf8')).not.toContain(key);
    expect(readFileSync(keysFile, 'utf8')).toContain(id);
    expect(printedNone(created, [PEPPER])).toBe(true);

    const check = (k: string, extra: string[] = []) =>
      cli(
        [
          'apikey',
          'check',
          '--key-env',
          'KEY',
          '--secret-env',
          'PEPPER',
          '--keys-file',
          keysFile,
          '--json',
          ...extra,
        ],
        fakeIo({ env: { PEPPER, KEY: k } }),
      );
    const good = await check(key, ['--require-scope', 'orders:read']);
    expect(good.exitCode).toBe(0);
    expect(json(good)).toMatchObject({ valid: true, owner: 'acme', scopes: ['orders:read'] });
    expect(printedNone(good, [key, PEPPER])).toBe(true);

    const typo = await check(`${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`);
    expect(typo.exitCode).toBe(1);
    expect(json(typo)).toMatchObject({
      valid: false,
      refusal: 'checksum',
      error: { code: 'ERR_APIKEY_INVALID' },
    });

    const scope = await check(key, ['--require-scope', 'orders:write']);
    expect(scope.exitCode).toBe(1);
    expect(json(scope)).toMatchObject({
      error: { code: 'ERR_APIKEY_SCOPE_MISSING' },
      missingScopes: ['orders:write'],
    });
  });

  it('refuses a key whose pepper differs, and checks the format alone without a keys file', async () => {
    const { dir } = tempDir();
    const keysFile = join(dir, 'keys.jsonl');
    const created = json(
      await cli(
        [
          'apikey',
          'create',
          '--prefix',
          'pc',
          '--owner',
          'o',
          '--secret-env',
          'PEPPER',
          '--keys-file',
          keysFile,
          '--json',
        ],
        fakeIo({ env: { PEPPER } }),
      ),
    );
    const other = await cli(
      ['apikey', 'check', '--key-env', 'KEY', '--secret-env', 'PEPPER', '--keys-file', keysFile],
      fakeIo({ env: { PEPPER: `${PEPPER}x`, KEY: created.key as string } }),
    );
    expect(other.exitCode).toBe(1);
    expect(other.stdout).toContain('invalid: mismatch');
    const formatOnly = await cli(
      ['apikey', 'check', '--key-env', 'KEY', '--secret-env', 'PEPPER', '--json'],
      fakeIo({ env: { PEPPER, KEY: created.key as string } }),
    );
    expect(formatOnly.exitCode).toBe(0);
    expect(json(formatOnly)).toMatchObject({ checked: 'format', wellFormed: true });
  });
});

async function writeTrail(dir: string, entries: number): Promise<void> {
  const log = createAuditLog({
    sink: new JsonlSink({ directory: dir, fsync: 'never' }),
    key: AUDIT_KEY,
  });
  for (let i = 0; i < entries; i++)
    log.record({ actor: 'stripe', action: 'webhook.verify', outcome: 'success' });
  await log.flush();
  await log.close();
}

describe('audit verify', () => {
  it('passes an intact trail and names the file and line of an edit', async () => {
    const { dir } = tempDir();
    await writeTrail(dir, 3);
    const io = fakeIo({ env: { AUDIT_KEY } });
    const intact = await cli(['audit', 'verify', dir, '--secret-env', 'AUDIT_KEY', '--json'], io);
    expect(intact.exitCode).toBe(0);
    expect(json(intact)).toMatchObject({
      ok: true,
      chains: [{ chain: 'default', ok: true, entries: 3 }],
    });
    const file = join(dir, 'default-000001.jsonl');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines[1] = (lines[1] as string).replace('success', 'denied');
    writeFileSync(file, lines.join('\n'));
    const edited = await cli(['audit', 'verify', dir, '--secret-env', 'AUDIT_KEY'], io);
    expect(edited.exitCode).toBe(1);
    expect(edited.stdout).toContain('BROKEN (edited) at default-000001.jsonl line 2');
    expect(edited.stderr).toContain('ERR_CLI_AUDIT_CHAIN_BROKEN');
    expect(printedNone(edited, [AUDIT_KEY])).toBe(true);
    const one = await cli(['audit', 'verify', file, '--secret-env', 'AUDIT_KEY', '--json'], io);
    expect(json(one)).toMatchObject({
      ok: false,
      chains: [{ ok: false, problem: 'edited', at: { line: 2 }, lineInFile: 2 }],
    });
  });

  it('finds a deleted tail with --expect-head, and refuses a short key', async () => {
    const { dir } = tempDir();
    await writeTrail(dir, 2);
    const io = fakeIo({ env: { AUDIT_KEY, SHORT: 'short' } });
    const head = (
      json(await cli(['audit', 'verify', dir, '--secret-env', 'AUDIT_KEY', '--json'], io))
        .chains as { head: { seq: number; mac: string } }[]
    )[0]?.head;
    const file = join(dir, 'default-000001.jsonl');
    writeFileSync(file, `${readFileSync(file, 'utf8').split('\n')[0]}\n`);
    const cut = await cli(
      [
        'audit',
        'verify',
        dir,
        '--secret-env',
        'AUDIT_KEY',
        '--expect-head',
        `${head?.seq}:${head?.mac}`,
      ],
      io,
    );
    expect(cut.exitCode).toBe(1);
    expect(cut.stdout).toContain('BROKEN (deleted)');
    const short = await cli(['audit', 'verify', dir, '--secret-env', 'SHORT'], io);
    expect(short.exitCode).toBe(2);
    expect(short.stderr).toContain('ERR_INVALID_ARG_VALUE');
  });
});

describe('ssrf check (injected resolver, no sockets)', () => {
  const resolveTo = (...addresses: string[]) =>
    fakeIo({
      resolve: async () =>
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    });

  it('refuses a host that resolves to a private address, showing it and the rule', async () => {
    const result = await cli(
      ['ssrf', 'check', 'https://hooks.customer.test/x', '--json'],
      resolveTo('8.8.4.4', '10.0.0.7'),
    );
    expect(result.exitCode).toBe(1);
    expect(json(result)).toMatchObject({
      allowed: false,
      range: 'private',
      addresses: [{ address: '8.8.4.4' }, { address: '10.0.0.7', range: 'private', global: false }],
      error: { code: 'ERR_EGRESS_ADDRESS_REFUSED' },
    });
  });

  it('allows a public address, and refuses a host outside --allow-host', async () => {
    const allowed = await cli(['ssrf', 'check', 'https://api.partner.test/'], resolveTo('8.8.8.8'));
    expect(allowed.exitCode).toBe(0);
    expect(allowed.stdout).toContain('allowed: https://api.partner.test');
    const other = await cli(
      ['ssrf', 'check', 'https://evil.test/', '--allow-host', 'api.partner.test', '--json'],
      resolveTo('8.8.8.8'),
    );
    expect(json(other)).toMatchObject({ error: { code: 'ERR_EGRESS_HOST_NOT_ALLOWED' } });
  });

  it('exits 3 when the name does not resolve', async () => {
    const result = await cli(['ssrf', 'check', 'https://nowhere.test/']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('ERR_EGRESS_DNS_FAILED');
  });
});
