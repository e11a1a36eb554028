import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.ts';
import { launchRedis, redisCli, requireRedisBinaries, stopRedis } from './redisProcesses.ts';

/** The name the sentinels monitor the primary under. */
export const SENTINEL_MASTER_NAME = 'portcullis';

/** One `redis-server` process of a {@link RedisSentinelPeer}: a data node or a sentinel. */
export interface SentinelSetNode {
  readonly port: number;
  readonly url: string;
  readonly running: boolean;
}

/**
 * A primary, one replica and three sentinels on 127.0.0.1, started by {@link startRedisSentinel}:
 * no persistence, `down-after-milliseconds` short so a failover takes a few seconds, quorum 2.
 * Every process is SIGKILLed when the test process exits.
 */
export interface RedisSentinelPeer {
  /** The two data nodes (primary first, at start). */
  readonly data: readonly SentinelSetNode[];
  readonly sentinels: readonly SentinelSetNode[];
  readonly masterName: string;
  /** The data node the sentinels name as primary now. */
  primary(): Promise<SentinelSetNode>;
  /**
   * SIGKILLs the primary, then waits (bounded) until the sentinels name the replica as primary
   * and it says `role:master`. Resolves with the killed node and the new primary.
   */
  killPrimary(): Promise<{ killed: SentinelSetNode; promoted: SentinelSetNode }>;
  /** Starts a killed data node again as a replica of the current primary, and waits until it syncs. */
  restart(node: SentinelSetNode): Promise<void>;
  stop(): Promise<void>;
}

interface NodeState extends SentinelSetNode {
  running: boolean;
  child: ChildProcess | undefined;
  args: string[];
}

const cli = (port: number, args: string[], timeoutMs = 1000): Promise<string> =>
  redisCli(port, args, timeoutMs);

/** Starts the primary and replica, then three sentinels watching them; about 1 s. */
export async function startRedisSentinel(
  options: { downAfterMs?: number } = {},
): Promise<RedisSentinelPeer> {
  requireRedisBinaries();
  const downAfterMs = options.downAfterMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-redis-sentinel-'));
  const node = async (args: (port: number) => string[]): Promise<NodeState> => {
    const port = await freePort();
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      running: false,
      child: undefined,
      args: args(port),
    };
  };
  const base = (port: number): string[] => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
    // Replicas sync at once, not after Redis 7's default 5 s diskless-sync delay.
    '--repl-diskless-sync-delay',
    '0',
  ];
  const primary = await node(base);
  const replica = await node((port) => [
    ...base(port),
    '--replicaof',
    '127.0.0.1',
    String(primary.port),
  ]);
  const sentinels: NodeState[] = [];
  for (let i = 0; i < 3; i++) {
    sentinels.push(
      await node((port) => {
        const file = join(dir, `sentinel-${port}.conf`);
        // Sentinel rewrites its own config file: it must be a writable file of its own.
        writeFileSync(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            `dir ${dir}`,
            `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${primary.port} 2`,
            `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${downAfterMs}`,
            `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 4000`,
            `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
            '',
          ].join('\n'),
        );
        return [file, '--sentinel'];
      }),
    );
  }
  const all = [primary, replica, ...sentinels];
  const data = [primary, replica];

  const launch = (n: NodeState, extra: string[] = []): Promise<void> =>
    launchRedis(n, [...n.args, ...extra], 'redis node');

  const stop = (): Promise<void> => stopRedis(all, dir);

  const named = async (): Promise<NodeState | undefined> => {
    for (const s of sentinels.filter((x) => x.running)) {
      try {
        const out = await cli(s.port, [
          'SENTINEL',
          'get-master-addr-by-name',
          SENTINEL_MASTER_NAME,
        ]);
        const port = Number(out.trim().split('\n')[1]);
        return data.find((d) => d.port === port);
      } catch {
        // Ask the next sentinel.
      }
    }
    return undefined;
  };

  const replicaReady = (n: NodeState): Promise<boolean> =>
    waitFor(
      `data node ${n.port} replicating`,
      async () => {
        const info = await cli(n.port, ['INFO', 'replication']);
        return info.includes('role:slave') && info.includes('master_link_status:up');
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );

  // Every sentinel knows the replica and the other sentinels before a failover can be agreed on.
  const sentinelsReady = (): Promise<boolean> =>
    waitFor(
      'sentinels to see the replica and each other',
      async () => {
        for (const s of sentinels) {
          const out = await cli(s.port, ['SENTINEL', 'master', SENTINEL_MASTER_NAME]);
          const lines = out.trim().split('\n');
          const field = (name: string): number => Number(lines[lines.indexOf(name) + 1]);
          if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );

  try {
    await launch(primary);
    await launch(replica);
    await replicaReady(replica);
    await Promise.all(sentinels.map((n) => launch(n)));
    await sentinelsReady();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    data,
    sentinels,
    masterName: SENTINEL_MASTER_NAME,
    async primary() {
      const found = await named();
      if (found === undefined) throw new Error('harness: no sentinel names a primary');
      return found;
    },
    async killPrimary() {
      const killed = await named();
      if (killed === undefined) throw new Error('harness: no sentinel names a primary');
      const proc = killed.child;
      if (proc !== undefined) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      }
      const promoted = await waitFor(
        'sentinels to promote the replica',
        async () => {
          const now = await named();
          if (now === undefined || now.port === killed.port) return false;
          const info = await cli(now.port, ['INFO', 'replication']);
          return info.includes('role:master') ? now : false;
        },
        { timeoutMs: 20_000, intervalMs: 50 },
      );
      return { killed, promoted };
    },
    async restart(n) {
      const state = data.find((d) => d.port === n.port);
      if (state === undefined || state.running) return;
      const current = await named();
      if (current === undefined) throw new Error('harness: no sentinel names a primary');
      // Back as a replica of the current primary at once (sentinel would convert it too, but
      // only after its next INFO poll, up to 10 s later).
      const at = state.args.indexOf('--replicaof');
      if (at !== -1) state.args.splice(at, 3);
      await launch(state, ['--replicaof', '127.0.0.1', String(current.port)]);
      await replicaReady(state);
    },
    stop,
  };
}
