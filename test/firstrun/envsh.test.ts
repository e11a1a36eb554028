// scripts/env.sh on a warm machine (.tools/ already installed), sourced from a newcomer's shell:
// it keeps the machine's system npmrc for npm and pnpm under the pinned Node (npm alone would
// switch to .tools/…/etc/npmrc once that Node is first on PATH, losing a proxy or CA set there),
// and it prints nothing: no colours, no `added N packages`, no update notice.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
  usable ? 'scripts/env.sh (warm)' : 'scripts/env.sh (skipped: no system npm or no .tools/ yet)',
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
  },
);
