// Debian's `redis-server` on a free 127.0.0.1 port, no persistence, for the fleet scene. The same
// approach as the test harness (test/harness/redis.ts), which the demo does not import.
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, spawnPeer, waitFor } from './processes.ts';

/** A running redis-server. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => socket.destroy());
    socket.on('data', (data) => {
      if (data.toString().includes('+PONG')) {
        socket.destroy();
        resolve(true);
      }
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

/** Starts redis-server and waits (at most 10 s) until it answers PING. */
export async function startRedis(): Promise<RedisServer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'redis-server is not installed: `apt-get install redis-server` (./scripts/check.sh does it when run as root).',
    );
  }
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const { child, stop } = spawnPeer('redis-server', args, { stdio: 'ignore' });
  try {
    await waitFor(`redis-server on port ${port}`, async () => {
      if (child.exitCode !== null) throw new Error('redis-server exited during start-up');
      return ping(port);
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `redis://127.0.0.1:${port}`, stop };
}
