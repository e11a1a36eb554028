import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './ports.ts';
import { launchRedis, redisCli, requireRedisBinaries, stopRedis } from './redisProcesses.ts';

const run = promisify(execFile);

/** One `redis-server --cluster-enabled yes` process of a {@link RedisClusterPeer}. */
export interface ClusterNode {
  readonly port: number;
  /** `redis://127.0.0.1:port`. */
  readonly url: string;
  /** Whether the process is running. */
  readonly running: boolean;
}

/**
 * A real Redis Cluster on 127.0.0.1 started by {@link startRedisCluster}: six nodes (three
 * primaries, one replica each) in a temp dir, no persistence, a short `cluster-node-timeout` so a
 * failover takes seconds. Every process is SIGKILLed when the test process exits, even if a test
 * never calls `stop()`.
 */
export interface RedisClusterPeer {
  readonly nodes: readonly ClusterNode[];
  /** Every node's URL: the root nodes a client starts from. */
  readonly urls: readonly string[];
  /** `cluster-node-timeout`, in milliseconds. */
  readonly nodeTimeoutMs: number;
  /** The slot of a key, as the server computes it (`CLUSTER KEYSLOT`). */
  keySlot(key: string): Promise<number>;
  /** The node that is primary for `slot` now, as a live node sees it. */
  primaryOf(slot: number): Promise<ClusterNode>;
  /**
   * SIGKILLs the primary of `slot`, then waits (bounded) until a replica has been promoted and
   * every live node says `cluster_state:ok`. Resolves with the killed node and the new primary.
   */
  killPrimaryOf(slot: number): Promise<{ killed: ClusterNode; promoted: ClusterNode }>;
  /** Starts a killed node again (it rejoins as a replica) and waits until the cluster is ok. */
  restart(node: ClusterNode): Promise<void>;
  /** Runs `redis-cli -p <port> <args>` on a live node and returns its output. */
  cli(node: ClusterNode, ...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

interface NodeState extends ClusterNode {
  running: boolean;
  child: ChildProcess | undefined;
}

const cli = (port: number, args: string[], timeoutMs = 3000): Promise<string> =>
  redisCli(port, args, timeoutMs);

/**
 * Starts six cluster nodes on free loopback ports, joins them with
 * `redis-cli --cluster create … --cluster-replicas 1 --cluster-yes`, and waits (bounded) until
 * every node says `cluster_state:ok` and knows all six nodes. About 2 s.
 */
export async function startRedisCluster(
  options: { nodeTimeoutMs?: number } = {},
): Promise<RedisClusterPeer> {
  requireRedisBinaries();
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-redis-cluster-'));
  const nodes: NodeState[] = [];
  for (let i = 0; i < 6; i++) {
    const port = await freePort();
    nodes.push({ port, url: `redis://127.0.0.1:${port}`, running: false, child: undefined });
  }

  const launch = (node: NodeState): Promise<void> =>
    launchRedis(
      node,
      [
        '--port',
        String(node.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${node.port}.conf`),
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        // A replica takes over however long it was cut off: the tests kill primaries on purpose.
        '--cluster-replica-validity-factor',
        '0',
        // Replicas sync at once, not after Redis 7's default 5 s diskless-sync delay.
        '--repl-diskless-sync-delay',
        '0',
        '--dir',
        dir,
      ],
      'cluster node',
    );

  const stop = (): Promise<void> => stopRedis(nodes, dir);

  const live = (): NodeState[] => nodes.filter((n) => n.running);

  const allOk = (): Promise<boolean> =>
    waitFor(
      'redis cluster state ok on every live node',
      async () => {
        for (const node of live()) {
          const info = await cli(node.port, ['CLUSTER', 'INFO'], 1000);
          if (!info.includes('cluster_state:ok')) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );

  const primaryOf = async (slot: number): Promise<NodeState> => {
    for (const node of live()) {
      try {
        // Each line: id addr flags master ping pong epoch state slots…
        const text = await cli(node.port, ['CLUSTER', 'NODES'], 1000);
        for (const line of text.trim().split('\n')) {
          const fields = line.split(' ');
          const flags = fields[2] ?? '';
          if (!flags.includes('master') || flags.includes('fail')) continue;
          const owns = fields.slice(8).some((range) => {
            if (range.startsWith('[')) return false;
            const [from, to = from] = range.split('-').map(Number);
            return slot >= (from as number) && slot <= (to as number);
          });
          if (!owns) continue;
          const port = Number(/:(\d+)@/.exec(fields[1] ?? '')?.[1]);
          const found = nodes.find((n) => n.port === port);
          if (found !== undefined) return found;
        }
      } catch {
        // This node did not answer; ask the next one.
      }
    }
    throw new Error(`harness: no live primary for slot ${slot}`);
  };

  try {
    await Promise.all(nodes.map(launch));
    await run(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { timeout: 15_000 },
    );
    await allOk();
    // `create` returns once slots are assigned; wait until every node also knows every other one
    // and each primary has its replica, so a first failover can happen.
    await waitFor(
      'every cluster node to know all six',
      async () => {
        for (const node of nodes) {
          const text = await cli(node.port, ['CLUSTER', 'NODES'], 1000);
          const lines = text.trim().split('\n');
          if (lines.length !== 6 || lines.some((l) => /fail|handshake|noaddr/.test(l))) {
            return false;
          }
          if (lines.filter((l) => l.includes('slave')).length !== 3) return false;
          const info = await cli(node.port, ['INFO', 'replication'], 1000);
          if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
        }
        return true;
      },
      { timeoutMs: 15_000, intervalMs: 50 },
    );
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    nodes,
    urls: nodes.map((n) => n.url),
    nodeTimeoutMs,
    async keySlot(key) {
      const node = live()[0];
      if (node === undefined) throw new Error('harness: no live cluster node');
      return Number((await cli(node.port, ['CLUSTER', 'KEYSLOT', key])).trim());
    },
    primaryOf,
    async killPrimaryOf(slot) {
      const killed = await primaryOf(slot);
      const proc = killed.child;
      if (proc !== undefined) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGKILL');
        await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      }
      const promoted = await waitFor(
        `a replica promoted for slot ${slot}`,
        async () => {
          const now = await primaryOf(slot);
          return now.port === killed.port ? false : now;
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      await allOk();
      return { killed, promoted };
    },
    async restart(node) {
      const state = nodes.find((n) => n.port === node.port);
      if (state === undefined || state.running) return;
      await launch(state);
      await waitFor(
        `node ${node.port} back as a replica`,
        async () => {
          const info = await cli(node.port, ['INFO', 'replication'], 1000);
          return info.includes('role:slave') && info.includes('master_link_status:up');
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      await allOk();
    },
    cli: (node, ...args) => cli(node.port, args),
    stop,
  };
}
