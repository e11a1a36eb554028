// What the Redis Cluster and Sentinel harnesses share: a redis-cli call with a deadline, one
// redis-server process started and watched (SIGKILLed if the test process exits first), and a
// bounded stop of all of them.
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { waitFor } from './ports.ts';

const run = promisify(execFile);

/** A redis-server process the harness manages. */
export interface RedisProcess {
  readonly port: number;
  running: boolean;
  child: ChildProcess | undefined;
}

/** `redis-cli -h 127.0.0.1 -p <port> <args>`, bounded by `timeoutMs`. */
export async function redisCli(port: number, args: string[], timeoutMs: number): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], {
    timeout: timeoutMs,
  });
  return stdout;
}

/** Throws a message saying how to install them when redis-server or redis-cli is missing. */
export function requireRedisBinaries(): void {
  if (spawnSync('redis-server', ['--version']).error || spawnSync('redis-cli', ['-v']).error) {
    throw new Error(
      'harness: redis-server / redis-cli are not installed. `./scripts/check.sh` installs them when run as root (apt-get install redis-server).',
    );
  }
}

/** Starts `redis-server <args>` for `node` and waits (bounded) until it answers PING. */
export async function launchRedis(node: RedisProcess, args: string[], what: string): Promise<void> {
  const proc = spawn('redis-server', args, { stdio: 'ignore' });
  node.child = proc;
  node.running = true;
  const reap = (): void => {
    proc.kill('SIGKILL');
  };
  process.once('exit', reap);
  proc.once('exit', () => {
    process.off('exit', reap);
    if (node.child === proc) node.running = false;
  });
  await waitFor(`${what} on port ${node.port}`, async () => {
    if (!node.running) throw new Error('redis-server exited during start-up');
    return (await redisCli(node.port, ['PING'], 500)).trim() === 'PONG';
  });
}

/** SIGKILLs every running process (each wait bounded), then removes `dir`. */
export async function stopRedis(nodes: readonly RedisProcess[], dir: string): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      const proc = node.child;
      if (proc === undefined || !node.running) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}
