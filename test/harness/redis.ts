import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { freePort, waitFor } from './ports.ts';

/**
 * A running Debian `redis-server` on 127.0.0.1, started by {@link startRedis}: no persistence,
 * bounded waits, killed when the test process exits even if a test never calls `stop()`.
 * It can be stopped and started again on the same port, paused (SIGSTOP: a hung server that
 * keeps its socket), and made to ask for a password.
 */
export interface RedisPeer {
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

/**
 * Starts `redis-server` on a free loopback port and waits (bounded) until it answers PING.
 * Throws a clear error when the binary is missing: a test that needs Redis fails, never skips.
 */
export async function startRedis(options: { password?: string } = {}): Promise<RedisPeer> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error(
      'harness: redis-server is not installed. `./scripts/check.sh` installs it when run as root (apt-get install redis-server); otherwise install it with your package manager.',
    );
  }
  const { password } = options;
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited = true;
  const peer: RedisPeer = {
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
