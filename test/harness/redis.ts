import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, waitFor } from './ports.ts';

/** A running `redis-server` on 127.0.0.1, started by {@link startRedis}. */
export interface RedisPeer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const HOW =
  'redis-server is not installed. `bash scripts/check.sh` installs it when run as root ' +
  '(apt-get install redis-server); otherwise install it with your package manager.';

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/**
 * Starts Debian's `redis-server` on a free loopback port with no persistence, waits until it
 * answers PING (bounded), and returns how to reach and stop it. Throws a clear error when the
 * binary is missing: a test that needs Redis fails rather than skipping.
 */
export async function startRedis(): Promise<RedisPeer> {
  if (spawnSync('redis-server', ['--version']).error) throw new Error(`harness: ${HOW}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await waitFor(`redis-server on port ${port}`, async () => {
    if (exited) throw new Error('redis-server exited during start-up');
    return ping(port);
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      if (!exited) child.kill('SIGKILL');
    },
  };
}
