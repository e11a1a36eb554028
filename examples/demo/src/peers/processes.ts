// What the demo starts, it stops: every child process and server is registered here, stopped by
// the scene that started it and, whatever happened (a throw, a timeout), by `stopPeers()` at the
// end of the run. Child processes are also killed when the demo process exits.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';

type Stop = () => Promise<void> | void;
const stops = new Set<Stop>();
const children = new Set<ChildProcess>();

process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Registers `stop`; returns a function that runs it once and unregisters it. */
export function onStop(stop: Stop): () => Promise<void> {
  let done = false;
  const once: Stop = async () => {
    if (done) return;
    done = true;
    stops.delete(once);
    await stop();
  };
  stops.add(once);
  return async () => once();
}

/** Stops everything still registered, each bounded to 3 s; never throws. */
export async function stopPeers(): Promise<void> {
  await Promise.all(
    [...stops].map((stop) =>
      Promise.race([
        Promise.resolve()
          .then(stop)
          .catch(() => {}),
        new Promise((r) => setTimeout(r, 3000).unref()),
      ]),
    ),
  );
}

/** Spawns a child process that is killed when it is stopped, when the run ends, or when the demo exits. */
export function spawnPeer(
  command: string,
  args: readonly string[],
  options: SpawnOptions,
): { child: ChildProcess; stop: () => Promise<void> } {
  const child = spawn(command, args, options);
  children.add(child);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  void exited.then(() => children.delete(child));
  const stop = onStop(async () => {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
  });
  return { child, stop };
}

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no free port'));
      });
    });
  });
}

/** Polls `probe` every 25 ms until it is truthy, for at most `timeoutMs`, then throws naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}
