import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, waitFor } from '../harness/ports.ts';

/**
 * A `redis-server` for the store tests that the harness's `startRedis()` cannot give: one that can
 * be stopped and started again on the same port, paused (SIGSTOP, a hung server), or that asks
 * for a password. Loopback only, no persistence, bounded waits; fails clearly when redis-server
 * is missing. (A candidate for test/harness/redis.ts.)
 */
export interface ControlledRedis {
  readonly port: number;
  /** `redis://[:password@]127.0.0.1:port`. */
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** SIGSTOP: the server keeps its socket but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
}

function ping(port: number, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(password === undefined ? 'PING\r\n' : `AUTH ${password}\r\nPING\r\n`);
    });
    socket.setTimeout(500, () => socket.destroy());
    let seen = '';
    socket.on('data', (data) => {
      seen += data.toString();
      if (seen.includes('+PONG')) {
        socket.destroy();
        resolve(true);
      }
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}

export async function controlledRedis(
  options: { password?: string } = {},
): Promise<ControlledRedis> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'store tests: redis-server is not installed. `bash scripts/check.sh` installs it when run as root; otherwise install it (apt-get install redis-server).',
    );
  }
  const { password } = options;
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited = true;
  const peer: ControlledRedis = {
    port,
    url: `redis://${password === undefined ? '' : `:${password}@`}127.0.0.1:${port}`,
    async start() {
      if (!exited) return;
      const args = [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
      ];
      if (password !== undefined) args.push('--requirepass', password);
      const proc = spawn('redis-server', args, { stdio: 'ignore' });
      child = proc;
      exited = false;
      // Never outlive the test process, even when a test fails before stop().
      const reap = (): void => {
        proc.kill('SIGKILL');
      };
      process.once('exit', reap);
      proc.once('exit', () => {
        process.off('exit', reap);
        if (child === proc) exited = true;
      });
      await waitFor(`redis-server on port ${port}`, async () => {
        if (exited) throw new Error('redis-server exited during start-up');
        return ping(port, password);
      });
    },
    async stop() {
      const proc = child;
      if (proc === undefined || exited) return;
      proc.kill('SIGCONT');
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
  await peer.start();
  return peer;
}
