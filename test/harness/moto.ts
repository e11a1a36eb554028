import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort, waitFor } from './ports.ts';

/** The line a machine without moto needs: the tests fail with it, never skip. */
export const MOTO_INSTALL_LINE = "pip install 'moto[server]'";

/**
 * A running `moto_server` (the Python AWS emulator) on 127.0.0.1, started by {@link startMoto}.
 * moto is not AWS: see /work/shared/PEERS.md for where it differs; tests assert AWS's documented
 * behaviour only.
 */
export interface MotoPeer {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the SDK's `endpoint`. */
  readonly endpoint: string;
  /** Drops every resource moto holds (`POST /moto-api/reset`). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

async function answers(endpoint: string): Promise<boolean> {
  const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
  await response.body?.cancel();
  return response.status < 500;
}

/**
 * Starts `moto_server -H 127.0.0.1 -p <free port>` and waits (bounded, 20 s) until it answers.
 * Throws with {@link MOTO_INSTALL_LINE} when `moto_server` is not on PATH.
 */
export async function startMoto(): Promise<MotoPeer> {
  if (spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).error) {
    throw new Error(`harness: moto_server is not installed. Install it with: ${MOTO_INSTALL_LINE}`);
  }
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  let exited = false;
  const reap = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', reap);
  child.once('exit', () => {
    exited = true;
    process.off('exit', reap);
  });
  try {
    await waitFor(
      `moto_server on port ${port}`,
      async () => {
        if (exited) throw new Error('moto_server exited during start-up');
        return answers(endpoint);
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    port,
    endpoint,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, {
        method: 'POST',
        signal: AbortSignal.timeout(5000),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`harness: moto reset answered ${response.status}`);
    },
    async stop() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      clearTimeout(timer);
    },
  };
}
