import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliIo, type CliResult, type ResolvedHostAddress, run } from '@portcullis/cli';
import { afterEach } from 'vitest';

/** A {@link CliIo} with no process behind it: fixed stdin, environment, resolver and clock. */
export function fakeIo(
  options: {
    stdin?: string | Uint8Array;
    env?: Record<string, string>;
    resolve?: (host: string) => Promise<readonly ResolvedHostAddress[]>;
    now?: number;
  } = {},
): CliIo & { stdinReads: number } {
  const io = {
    stdinReads: 0,
    env: options.env ?? {},
    async readStdin() {
      io.stdinReads++;
      const input = options.stdin ?? '';
      return typeof input === 'string' ? new TextEncoder().encode(input) : input;
    },
    resolve:
      options.resolve ??
      (async (host: string): Promise<readonly ResolvedHostAddress[]> => {
        throw Object.assign(new Error(`no resolver in unit tests (${host})`), {
          code: 'ENOTFOUND',
        });
      }),
    now: () => options.now ?? Date.now(),
  };
  return io;
}

/** Runs the command in process. */
export function cli(argv: string[], io: CliIo = fakeIo()): Promise<CliResult> {
  return run(argv, io);
}

/** The JSON object a `--json` run printed. */
export function json(result: CliResult): Record<string, unknown> {
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary directory removed after the test, with `file(name, content)` to write into it. */
export function tempDir(): {
  dir: string;
  file(name: string, content: string | Uint8Array): string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-cli-'));
  dirs.push(dir);
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}

/** Asserts no secret appears in what a run printed. */
export function printedNone(result: CliResult, secrets: readonly string[]): boolean {
  return secrets.every((s) => !result.stdout.includes(s) && !result.stderr.includes(s));
}
