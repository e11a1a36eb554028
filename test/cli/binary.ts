// Runs the BUILT `portcullis` binary (packages/cli/dist/bin.js, as published) as a child process.
// `ensureBuilt()` builds, with the repository's build script, every package the binary loads whose
// dist/ is missing or older than its sources (none after `scripts/check.sh`'s build step), holding
// a lock so that test files running in parallel never build at once.
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '../harness/ports.ts';

const root = new URL('../../', import.meta.url).pathname;
/** The binary the tests run. */
export const BIN: string = join(root, 'packages/cli/dist/bin.js');
/** The packages the binary loads, in build order. */
const PACKAGES = ['core', 'webhooks', 'apikeys', 'oauth', 'audit', 'egress', 'cli'];

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

function stale(pkg: string): boolean {
  const built = join(root, 'packages', pkg, 'dist', pkg === 'cli' ? 'bin.js' : 'index.js');
  let builtAt: number;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return true;
  }
  return newest(join(root, 'packages', pkg, 'src')) > builtAt;
}

let built: Promise<void> | undefined;

/** Builds what is stale (once per test file). */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    const lock = join(root, 'packages/cli/.build-lock');
    await waitFor(
      'the cli build lock',
      async () => {
        try {
          mkdirSync(lock);
          return true;
        } catch {
          // A lock left by a killed run (a build takes seconds, not minutes) is taken over.
          if (
            Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) >
            300_000
          )
            rmdirSync(lock);
          return false;
        }
      },
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    try {
      for (const pkg of PACKAGES.filter(stale)) {
        await promisify(execFile)('bash', [join(root, 'scripts/build-package.sh')], {
          cwd: join(root, 'packages', pkg),
          timeout: 60_000,
        });
      }
    } finally {
      rmdirSync(lock);
    }
  })();
  return built;
}

/** What one run of the binary did. */
export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node <bin> ...args` with only PATH and `env` in its environment (no secret of this
 * process leaks in), `stdin` piped in, killed after 20 s.
 */
export function portcullis(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string>; bin?: string; node?: string } = {},
): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.node ?? process.execPath, [options.bin ?? BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 20_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The `--json` object a run printed. */
export function parsed(result: BinResult): Record<string, unknown> {
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** `-H name: value` flags for a header record. */
export function headerFlags(headers: Record<string, string>): string[] {
  return Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}
