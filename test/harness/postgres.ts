import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.ts';

/**
 * A throwaway PostgreSQL 15 cluster on 127.0.0.1, made by {@link startPostgres} in a temp dir
 * (trust auth, no fsync) and removed by `stop()` — or when the test process exits.
 */
export interface PostgresPeer {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:port/postgres`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The account the server runs as: PostgreSQL refuses to run as root. */
function account(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0)
    throw new Error('harness: running as root needs a "postgres" account to run PostgreSQL as');
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * Creates a cluster with `initdb` and starts `postgres` on a free loopback port, waiting (bounded)
 * until `pg_isready` says it accepts connections. Fails with a clear message when the server
 * binaries are missing: a test that needs PostgreSQL fails, never skips.
 */
export async function startPostgres(): Promise<PostgresPeer> {
  if (spawnSync('initdb', ['--version']).error) {
    throw new Error(
      "harness: PostgreSQL's server binaries (initdb, postgres) are not on PATH; install them (e.g. 'apt-get install postgresql').",
    );
  }
  const owner = account();
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-pg-'));
  const data = join(dir, 'data');
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const init = spawnSync(
    'initdb',
    ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'],
    {
      ...as,
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`harness: initdb failed: ${init.stderr}`);
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'postgres',
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    { ...as, stdio: 'ignore' },
  );
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const reap = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', reap);
  try {
    await waitFor(
      `postgres on port ${port}`,
      async () =>
        !exited &&
        spawnSync('pg_isready', ['-h', '127.0.0.1', '-p', String(port), '-q']).status === 0,
      { timeoutMs: 30_000, intervalMs: 50 },
    );
  } catch (error) {
    reap();
    throw error;
  }
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      process.removeListener('exit', reap);
      if (!exited) {
        child.kill('SIGINT'); // fast shutdown
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exitedPromise;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
