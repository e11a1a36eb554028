import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Runs `script` (TypeScript, from source) in a child Node process: `input` goes to it as JSON on
 * stdin — never in argv, where `ps` would show a secret — and the JSON it prints on stdout is the
 * result. The child is killed after `timeoutMs`. Rejects with the child's stderr (truncated) when it
 * exits non-zero. Workers read their input with {@link readWorkerInput}.
 */
export function runWorker<T>(script: URL, input: unknown, { timeoutMs = 30_000 } = {}): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@portcullis/source', fileURLToPath(script)],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        cwd: fileURLToPath(new URL('.', script)),
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as T);
      else
        reject(
          new Error(
            `worker ${script.pathname} exited with ${code ?? signal}: ${err.slice(0, 2000)}`,
          ),
        );
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** In a worker started by {@link runWorker}: its JSON input, read from stdin. */
export async function readWorkerInput<T>(): Promise<T> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text) as T;
}

/** A long-running program started by {@link startProgram}. */
export interface RunningProgram {
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** SIGTERM, then waits (at most 5 s) for it to exit; resolves with how it exited. */
  stop(): Promise<number | NodeJS.Signals | null>;
}

/**
 * Starts `script` (TypeScript, from source, run from `dir`) as a program with exactly `env`
 * (plus PATH) — a server under test, say — and collects what it prints. Stop it with `stop()`,
 * in a `finally`.
 */
export function startProgram(
  dir: URL,
  script: string,
  env: Record<string, string>,
): RunningProgram {
  const child = spawn(process.execPath, ['--conditions=@portcullis/source', script], {
    cwd: fileURLToPath(dir),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer): void => {
    output += d;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    },
  };
}
