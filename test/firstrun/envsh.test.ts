// scripts/env.sh on a warm machine (.tools/ already installed), sourced from a newcomer's shell:
// it keeps the machine's system npmrc for npm and pnpm under the pinned Node (npm alone would
// switch to .tools/…/etc/npmrc once that Node is first on PATH, losing a proxy or CA set there),
// and it prints nothing: no colours, no `added N packages`, no update notice. And a first
// dependency install against an unreachable registry stops in seconds, saying why.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../harness/ports.ts';

const root = join(import.meta.dirname, '../..');
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what this looks for
const ANSI = /\u001b\[/;

/** The shell before env.sh: no .tools/ or node_modules/.bin on PATH, no npm_config_* variables. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_|^pnpm_/i.test(key)) env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(
      (entry) => !entry.includes(`${'/'}.tools${'/'}`) && !entry.endsWith('node_modules/.bin'),
    )
    .join(delimiter);
  return env;
}

const env = shellEnv();
const systemNpm = spawnSync('npm', ['config', 'get', 'globalconfig'], { env, encoding: 'utf8' });
const usable = systemNpm.status === 0 && existsSync(join(root, '.tools/node_modules/.bin/pnpm'));

describe.skipIf(!usable)(
  usable ? 'scripts/env.sh' : 'scripts/env.sh (skipped: no system npm or no .tools/ yet)',
  () => {
    it('keeps the system npmrc for npm and pnpm under the pinned Node, and prints nothing', () => {
      const systemGlobalconfig = systemNpm.stdout.trim();
      const run = spawnSync(
        'bash',
        [
          '-c',
          'source scripts/env.sh && node --version && echo "$npm_config_globalconfig" && npm config get globalconfig',
        ],
        { cwd: root, env, encoding: 'utf8', timeout: 60_000 },
      );

      expect(run.stderr).toBe('');
      const [nodeVersion, exported, npmSees] = run.stdout.trim().split('\n');
      expect(nodeVersion).toMatch(/^v24\./); // the pinned Node is first on PATH…
      expect(exported).toBe(systemGlobalconfig); // …and pnpm reads this variable…
      expect(npmSees).toBe(systemGlobalconfig); // …and npm still reads the system npmrc.
      expect(run.stdout).not.toMatch(ANSI);
    });

    it('a first dependency install with the registry unreachable fails in seconds with the cause, no stack', async () => {
      // A project of one dependency next to copies of the scripts, sharing this checkout's .tools/.
      const dir = mkdtempSync(join(tmpdir(), 'portcullis-envsh-'));
      try {
        mkdirSync(join(dir, 'scripts'));
        for (const f of ['env.sh', 'npm-install-tool.sh'])
          copyFileSync(join(root, 'scripts', f), join(dir, 'scripts', f));
        symlinkSync(join(root, '.tools'), join(dir, '.tools'));
        writeFileSync(
          join(dir, 'package.json'),
          '{ "name": "t", "private": true, "dependencies": { "is-number": "7.0.0" } }\n',
        );
        writeFileSync(join(dir, 'pnpm-lock.yaml'), LOCKFILE);
        const port = await freePort(); // nothing listens there
        const started = Date.now();
        const run = spawnSync('bash', ['-c', 'source scripts/env.sh'], {
          cwd: dir,
          env: {
            ...env,
            npm_config_registry: `http://127.0.0.1:${port}/`,
            npm_config_store_dir: join(dir, 'store'),
            npm_config_cache_dir: join(dir, 'cache'),
            NO_COLOR: '1',
          },
          encoding: 'utf8',
          timeout: 60_000,
        });

        expect(run.status).toBe(1);
        expect(Date.now() - started).toBeLessThan(20_000); // pnpm's defaults: over a minute
        expect(run.stderr).toMatch(/installing the dependencies from pnpm-lock\.yaml \(once\)/);
        expect(run.stderr).toMatch(/ECONNREFUSED/);
        expect(run.stderr).toMatch(/'pnpm install --frozen-lockfile' failed .*proxy \/ cafile/);
        expect(run.stderr).not.toMatch(/^ +at /m);
        expect(run.stderr).not.toMatch(ANSI);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

const LOCKFILE = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      is-number:
        specifier: 7.0.0
        version: 7.0.0

packages:

  is-number@7.0.0:
    resolution: {integrity: sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==}
    engines: {node: '>=0.12.0'}

snapshots:

  is-number@7.0.0: {}
`;
