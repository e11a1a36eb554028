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
