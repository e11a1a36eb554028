import { CliError, DEFAULTS, EXIT_CODES, isCliError } from '@portcullis/cli';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';
import { cli, fakeIo, json, printedNone, tempDir } from './helpers.ts';

const README = new URL('../README.md', import.meta.url).pathname;

const LEAVES = [
  ['webhook', 'sign'],
  ['webhook', 'verify'],
  ['webhook', 'explain'],
  ['secret', 'generate'],
  ['apikey', 'create'],
  ['apikey', 'check'],
  ['token', 'get'],
  ['jwt', 'verify'],
  ['audit', 'verify'],
  ['ssrf', 'check'],
] as const;

describe('argument handling', () => {
  it('documents its defaults in the README', () => {
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
  });

  it('has the documented exit codes', () => {
    expect(EXIT_CODES).toEqual({ ok: 0, refused: 1, usage: 2, runtime: 3 });
    expect(new CliError('ERR_CLI_AUDIT_CHAIN_BROKEN', 'x').exitCode).toBe(1);
    expect(isCliError(new CliError('ERR_CLI_USAGE', 'x'), 'ERR_CLI_USAGE')).toBe(true);
  });

  it.each(LEAVES)(
    'prints help for %s %s with --help, every option of it, and exits 0',
    async (group, leaf) => {
      const result = await cli([group, leaf, '--help']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain(`Usage: portcullis ${group} ${leaf}`);
      expect(result.stdout).toContain('--json');
      expect(result.stderr).toBe('');
    },
  );

  it('prints the exit codes in the top-level help', async () => {
    const result = await cli(['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/Exit codes: 0 ok, 1 refused.*2 usage.*3 runtime/);
  });

  it('exits 2 with ERR_CLI_USAGE on an unknown option, without echoing its value', async () => {
    const result = await cli(['webhook', 'verify', '--secret=whsec_hunter2hunter2', '--body', 'x']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_CLI_USAGE');
    expect(result.stderr).toContain("unknown option '--secret=…'");
    expect(printedNone(result, ['hunter2'])).toBe(true);
  });

  it('answers a usage error with JSON under --json', async () => {
    const result = await cli(['ssrf', 'check', '--json']);
    expect(result.exitCode).toBe(2);
    expect(json(result)).toMatchObject({
      ok: false,
      error: { code: 'ERR_CLI_USAGE', exitCode: 2 },
    });
    expect(result.stderr).toBe('');
  });

  it('exits 2 for a group without its subcommand, and for no command at all', async () => {
    for (const argv of [['webhook'], []]) {
      const result = await cli(argv);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain('Usage: portcullis');
    }
  });

  it('refuses a scheme it does not know', async () => {
    const result = await cli(['webhook', 'sign', '--scheme', 'paypal', '--body', '-']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_CLI_USAGE');
  });

  it('needs a secret source and refuses a secret given two ways', async () => {
    const { file } = tempDir();
    const body = file('body.json', '{}');
    const none = await cli(['webhook', 'sign', '--body', body]);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toContain('ERR_CLI_SECRET_MISSING');
    expect(none.stderr).toContain('--secret-file, --secret-stdin or --secret-env');
    const two = await cli(
      ['webhook', 'sign', '--body', body, '--secret-stdin', '--secret-env', 'X'],
      fakeIo({ env: { X: 'y' } }),
    );
    expect(two.exitCode).toBe(2);
    expect(two.stderr).toContain('ERR_CLI_USAGE');
  });

  it('names an unset environment variable, never a value', async () => {
    const { file } = tempDir();
    const result = await cli([
      'webhook',
      'sign',
      '--body',
      file('b', '{}'),
      '--secret-env',
      'NOPE',
      '--json',
    ]);
    expect(result.exitCode).toBe(2);
    expect(json(result)).toMatchObject({
      ok: false,
      command: 'webhook sign',
      error: { code: 'ERR_CLI_SECRET_MISSING' },
    });
    expect(result.stdout).toContain('NOPE');
  });

  it('reads stdin for one input only', async () => {
    const io = fakeIo({ stdin: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
    const result = await cli(['webhook', 'sign', '--body', '-', '--secret-stdin'], io);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_CLI_INPUT_UNREADABLE');
    expect(io.stdinReads).toBe(1);
  });

  it('says which file could not be read', async () => {
    const result = await cli(
      ['webhook', 'sign', '--body', '/nonexistent/body', '--secret-env', 'S'],
      fakeIo({ env: { S: 'x'.repeat(32) } }),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      'ERR_CLI_INPUT_UNREADABLE: The file given to --body could not be read (ENOENT).',
    );
  });

  it('refuses custom-scheme flags without --scheme custom', async () => {
    const result = await cli([
      'webhook',
      'sign',
      '--signature-header',
      'x-sig',
      '--body',
      '-',
      '--secret-stdin',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--signature-header needs --scheme custom');
  });

  it('refuses a non-integer where one is expected', async () => {
    const result = await cli([
      'webhook',
      'sign',
      '--timestamp',
      'soon',
      '--body',
      '-',
      '--secret-stdin',
    ]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('ERR_CLI_USAGE');
  });

  it('prints its version', async () => {
    const result = await cli(['--version']);
    expect(result).toMatchObject({ exitCode: 0, stdout: '0.1.0\n' });
  });
});
