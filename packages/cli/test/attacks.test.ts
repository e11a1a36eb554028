// Attacker's review: inputs that must end in a typed, bounded failure with no secret printed.

import { execFileSync, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cli, fakeIo, tempDir } from './helpers.ts';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('secrets in argv are never echoed', () => {
  it('cuts the whole value of an unknown --name=value, quotes and spaces included', async () => {
    for (const value of [`ab'${SECRET}`, `ab"${SECRET}`, `ab ${SECRET}`, `x\n${SECRET}`]) {
      const result = await cli(['webhook', 'verify', `--secret=${value}`, '--body', '-']);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('ERR_CLI_USAGE');
      expect(result.stdout + result.stderr).not.toContain('MfKQ9r8');
    }
  });

  it('does not echo a value given to --secret-env in place of a variable name', async () => {
    const { file } = tempDir();
    const result = await cli([
      'webhook',
      'sign',
      '--body',
      file('b', '{}'),
      '--secret-env',
      SECRET,
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_CLI_SECRET_MISSING');
    expect(result.stderr).not.toContain('MfKQ9r8');
  });
});

describe('inputs are read with a bound', () => {
  it('refuses a secret file that never ends (/dev/zero) or is too large', async () => {
    const { file } = tempDir();
    const big = file('big', 'a'.repeat(70_000));
    for (const path of ['/dev/zero', big]) {
      const result = await cli(['webhook', 'sign', '--body', '/dev/null', '--secret-file', path]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('ERR_CLI_INPUT_UNREADABLE');
      expect(result.stderr).not.toContain('aaaa');
    }
  });

  it('refuses a body that never ends (/dev/zero), and stdin past the bound', async () => {
    const { file } = tempDir();
    const secret = file('s', SECRET);
    const zero = await cli(['webhook', 'sign', '--body', '/dev/zero', '--secret-file', secret]);
    expect(zero.exitCode).toBe(2);
    expect(zero.stderr).toContain('ERR_CLI_INPUT_UNREADABLE');
    const stdin = await cli(
      ['webhook', 'sign', '--body', '/dev/null', '--secret-stdin'],
      fakeIo({ stdin: 'a'.repeat(70_000) }),
    );
    expect(stdin.exitCode).toBe(2);
    expect(stdin.stderr).toContain('ERR_CLI_INPUT_UNREADABLE');
  });

  it('reads a secret from a FIFO (process substitution) that a writer closes', async () => {
    const { dir } = tempDir();
    const fifo = `${dir}/fifo`;
    execFileSync('mkfifo', [fifo]);
    expect(statSync(fifo).isFIFO()).toBe(true);
    // A writer in a child process (it blocks until this one opens the FIFO to read).
    const writer = spawn('sh', ['-c', `printf '%s\\n' "$1" > "$2"`, 'sh', SECRET, fifo], {
      stdio: 'ignore',
    });
    const result = await cli(['webhook', 'sign', '--body', '/dev/null', '--secret-file', fifo]);
    writer.kill();
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('refuses a secret that is not UTF-8 text, without printing it', async () => {
    const { file } = tempDir();
    const bytes = file('s', new Uint8Array([0x77, 0x68, 0xff, 0xfe, 0x41, 0x42, 0x43, 0x44]));
    const result = await cli([
      'webhook',
      'sign',
      '--scheme',
      'github',
      '--body',
      '/dev/null',
      '--secret-file',
      bytes,
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_CLI_INPUT_UNREADABLE');
    expect(result.stderr).toContain('UTF-8');
  });
});

describe('malformed input never crashes', () => {
  it('any bytes as a --request file end in exit 0-2 with a stable code, never ERR_CLI_INTERNAL (property)', async () => {
    const head = fc.constantFrom(
      'POST /h HTTP/1.1\r\n',
      'POST /h HTTP/1.1\n',
      'GET http://a@169.254.169.254/ HTTP/1.0\r\n',
      '',
    );
    const line = fc.oneof(
      fc.constantFrom(
        'content-length: 3',
        'Content-Length: 99999999999',
        'content-length: 1',
        'content-length: -1',
        'transfer-encoding: chunked',
        'webhook-id: a',
        'webhook-id: b',
        'webhook-timestamp: 1',
        'webhook-signature: v1,AAAA',
        'host: example.com',
        ' folded',
        ':x',
        'a b: c',
        'x:',
      ),
      fc.string({ maxLength: 20 }),
    );
    const sep = fc.constantFrom('\r\n', '\n');
    const request = fc
      .tuple(
        head,
        fc.array(fc.tuple(line, sep), { maxLength: 6 }),
        sep,
        fc.uint8Array({ maxLength: 40 }),
      )
      .map(([h, lines, s, body]) => {
        const text = h + lines.map(([l, e]) => l + e).join('') + s;
        return new Uint8Array([...Buffer.from(text, 'latin1'), ...body]);
      });
    const arbitrary = fc.oneof(request, fc.uint8Array({ maxLength: 80 }));
    await fc.assert(
      fc.asyncProperty(arbitrary, fc.constantFrom('verify', 'explain'), async (bytes, op) => {
        const result = await cli(
          ['webhook', op, '--request', '-', '--secret-env', 'S', '--json'],
          fakeIo({ stdin: bytes, env: { S: SECRET } }),
        );
        expect([0, 1, 2]).toContain(result.exitCode);
        expect(result.stdout).not.toContain('ERR_CLI_INTERNAL');
        expect(result.stdout + result.stderr).not.toContain('MfKQ9r8');
        const body = JSON.parse(result.stdout) as { ok: boolean; error?: { code: string } };
        if (!body.ok) expect(body.error?.code).toMatch(/^ERR_[A-Z_]+$/);
      }),
      { numRuns: 150 },
    );
  });

  it('any argv never throws, exits 0-3 and never prints the secret (property)', async () => {
    const token = fc.oneof(
      fc.constantFrom(
        'webhook',
        'sign',
        'verify',
        'explain',
        'secret',
        'generate',
        'apikey',
        'create',
        'check',
        'token',
        'get',
        'jwt',
        'audit',
        'ssrf',
        '--json',
        '--help',
        '--secret-env',
        'S',
        '--secret-file',
        '/dev/null',
        '--body',
        '-',
        '--request',
        '--scheme',
        'custom',
        '--now',
        `--secret=${SECRET}`,
        `--x=${SECRET}`,
        '-H',
        'a: b',
        '--bytes',
        '0',
        '--ed25519',
      ),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 8 }), async (argv) => {
        const result = await cli(argv, fakeIo({ env: { S: SECRET } }));
        expect([0, 1, 2, 3]).toContain(result.exitCode);
        expect(result.stdout + result.stderr).not.toContain('MfKQ9r8');
        expect(result.stdout + result.stderr).not.toContain('ERR_CLI_INTERNAL');
      }),
      { numRuns: 200 },
    );
  });
});

describe('text output is safe for a terminal', () => {
  it('escapes control characters from file names and peers (no ANSI/OSC injection)', async () => {
    const { dir, file } = tempDir();
    file('\u001b]0;owned\u0007\u001b[2J-000001.jsonl', '');
    const result = await cli(
      ['audit', 'verify', dir, '--secret-env', 'K'],
      fakeIo({ env: { K: 'k'.repeat(32) } }),
    );
    expect(result.stdout + result.stderr).toContain('owned');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the test
    expect(result.stdout + result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  });
});
