// The built binary's other commands: apikey create then check (and a wrong key), audit verify of
// an intact and an edited trail, ssrf check of metadata, mapped-loopback and public addresses
// (IP literals and localhost only: no lookups leave the machine), secrets never printed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, JsonlSink } from '@portcullis/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, parsed, portcullis } from './binary.ts';

const PEPPER = 'pepper-of-at-least-32-bytes-0123456789';
const AUDIT_KEY = 'audit-key-of-at-least-32-bytes-0123456789';
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-tools-'));
  await ensureBuilt();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('portcullis apikey (built binary)', () => {
  it('creates a key, then checks it, a wrong key and a missing scope', async () => {
    const keysFile = join(dir, 'keys.jsonl');
    const created = await portcullis(
      [
        'apikey',
        'create',
        '--prefix',
        'pc_live',
        '--owner',
        'acme',
        '--name',
        'orders sync',
        '--scope',
        'orders:read',
        '--secret-stdin',
        '--keys-file',
        keysFile,
        '--json',
      ],
      { stdin: PEPPER },
    );
    expect(created.code).toBe(0);
    const { key } = parsed(created) as { key: string };
    expect(key).toMatch(/^pc_live_[0-9A-Za-z]{54}$/);
    expect(readFileSync(keysFile, 'utf8')).not.toContain(key);
    const check = (presented: string, extra: string[] = []) =>
      portcullis(
        [
          'apikey',
          'check',
          '--key-stdin',
          '--secret-env',
          'PEPPER',
          '--keys-file',
          keysFile,
          ...extra,
        ],
        { stdin: presented, env: { PEPPER } },
      );
    const other = JSON.parse(
      (
        await portcullis(
          [
            'apikey',
            'create',
            '--prefix',
            'pc_live',
            '--owner',
            'x',
            '--secret-env',
            'PEPPER',
            '--json',
          ],
          { env: { PEPPER } },
        )
      ).stdout,
    ).key as string;
    const [good, wrong, scoped] = await Promise.all([
      check(key, ['--require-scope', 'orders:read']),
      check(other),
      check(key, ['--require-scope', 'admin', '--json']),
    ]);
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^valid: \w{16} \(owner acme, scopes orders:read\)/);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('invalid: unknown');
    expect(wrong.stderr).toContain('portcullis: ERR_APIKEY_INVALID');
    expect(scoped.code).toBe(1);
    expect(parsed(scoped)).toMatchObject({
      ok: false,
      valid: false,
      missingScopes: ['admin'],
      error: { code: 'ERR_APIKEY_SCOPE_MISSING', exitCode: 1 },
    });
    for (const r of [created, good, wrong, scoped])
      expect(r.stdout + r.stderr).not.toContain(PEPPER);
    for (const r of [good, wrong, scoped]) expect(r.stdout + r.stderr).not.toContain(key);
  });
});

describe('portcullis audit verify (built binary)', () => {
  it('passes an intact trail, and exits 1 naming the file and line of an edited one', async () => {
    const trail = join(dir, 'audit');
    const log = createAuditLog({
      sink: new JsonlSink({ directory: trail, fsync: 'never' }),
      key: AUDIT_KEY,
    });
    for (const outcome of ['success', 'denied', 'success'] as const)
      log.record({ actor: 'partner-1', action: 'orders.export', outcome });
    await log.close();
    const intact = await portcullis(['audit', 'verify', trail, '--secret-env', 'AUDIT_KEY'], {
      env: { AUDIT_KEY },
    });
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^chain default: intact, 3 entries, head 3:[0-9a-f]{64}/);

    const file = join(trail, 'default-000001.jsonl');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"denied"', '"success"'));
    const [edited, json] = await Promise.all([
      portcullis(['audit', 'verify', trail, '--secret-env', 'AUDIT_KEY'], { env: { AUDIT_KEY } }),
      portcullis(['audit', 'verify', file, '--secret-stdin', '--json'], { stdin: AUDIT_KEY }),
    ]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain(
      'chain default: BROKEN (edited) at default-000001.jsonl line 2',
    );
    expect(edited.stderr).toContain('portcullis: ERR_CLI_AUDIT_CHAIN_BROKEN');
    expect(json.code).toBe(1);
    expect(parsed(json)).toMatchObject({
      ok: false,
      chains: [{ ok: false, problem: 'edited', entries: 1, at: { line: 2, expectedSeq: 2 } }],
      error: { code: 'ERR_CLI_AUDIT_CHAIN_BROKEN' },
    });
    for (const r of [intact, edited, json]) expect(r.stdout + r.stderr).not.toContain(AUDIT_KEY);
  });
});

describe.concurrent('portcullis ssrf check (built binary)', () => {
  it('refuses the cloud metadata address, naming the rule, also over https', async () => {
    const [http, https] = await Promise.all([
      portcullis(['ssrf', 'check', 'http://169.254.169.254/latest/meta-data/']),
      portcullis(['ssrf', 'check', 'https://169.254.169.254/', '--json']),
    ]);
    expect(http.code).toBe(1);
    expect(http.stdout).toContain('refused: ERR_EGRESS_INSECURE_SCHEME');
    expect(http.stdout).toContain('169.254.169.254  linkLocal  not globally routable');
    expect(http.stdout).toContain('would be refused by the address rule, even over https');
    expect(https.code).toBe(1);
    expect(parsed(https)).toMatchObject({
      ok: false,
      allowed: false,
      range: 'linkLocal',
      addresses: [{ address: '169.254.169.254', global: false }],
      error: { code: 'ERR_EGRESS_ADDRESS_REFUSED' },
    });
  });

  it('judges IPv4-mapped IPv6 by the embedded address', async () => {
    const r = await portcullis(['ssrf', 'check', 'https://[::ffff:127.0.0.1]/', '--json']);
    expect(r.code).toBe(1);
    expect(parsed(r)).toMatchObject({
      range: 'loopback',
      addresses: [{ address: '::ffff:7f00:1', embedded: '127.0.0.1' }],
      error: { code: 'ERR_EGRESS_ADDRESS_REFUSED' },
    });
    const http = await portcullis(['ssrf', 'check', 'http://[::ffff:127.0.0.1]/']);
    expect(http.code).toBe(1);
    expect(http.stdout).toContain('loopback (embeds 127.0.0.1)');
  });

  it('allows a public https address, and shows what localhost resolves to', async () => {
    const [open, local] = await Promise.all([
      portcullis(['ssrf', 'check', 'https://8.8.8.8/dns-query', '--json']),
      portcullis(['ssrf', 'check', 'https://localhost:8443/', '--allow-host', 'localhost:8443']),
    ]);
    expect(open.code).toBe(0);
    expect(parsed(open)).toMatchObject({
      ok: true,
      command: 'ssrf check',
      allowed: true,
      url: 'https://8.8.8.8',
      addresses: [{ address: '8.8.8.8', range: 'unicast', global: true }],
    });
    expect(local.code).toBe(1);
    expect(local.stdout).toContain('localhost resolves to:');
    expect(local.stdout).toMatch(/(127\.0\.0\.1|::1) +loopback/);
  });
});
