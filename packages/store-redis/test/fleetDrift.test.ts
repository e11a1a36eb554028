// Attacker's review of the cluster path: node-redis's private slot-map API drifting away (missing,
// another shape, throwing) must never turn a store failure into an untyped crash, and the
// background undo of writes of unknown outcome stays bounded while a primary is down.
import { ManualClock, StoreError, type Telemetry } from '@portcullis/core';
import { type RedisClusterLike, RedisStore, toCommandClient } from '@portcullis/store-redis';
import { describe, expect, it } from 'vitest';

function recording(): { telemetry: Telemetry; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    telemetry: {
      count: (name, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
      record: () => {},
      span: (_n, fn) => fn(),
    },
  };
}

/** A cluster client that is down, with `internals` in place of node-redis 5's private fields. */
function downCluster(internals: Record<string, unknown>): RedisClusterLike {
  // Copied by descriptor, so a getter stays a getter.
  return Object.defineProperties(
    {
      async sendCommand() {
        throw new Error('Socket closed unexpectedly');
      },
    },
    Object.getOwnPropertyDescriptors(internals),
  ) as RedisClusterLike;
}

const DRIFTED: Array<[string, Record<string, unknown>]> = [
  ['no _slots at all', {}],
  ['rediscover not a function', { _slots: { rediscover: 1 } }],
  ['masters not iterable', { masters: { a: 1 }, _slots: { rediscover: async () => {} } }],
  ['nodeByAddress a plain object', { nodeByAddress: {}, _slots: { rediscover: async () => {} } }],
  [
    'rediscover throwing synchronously',
    {
      masters: [{ client: { isReady: true } }],
      _slots: {
        rediscover() {
          throw new TypeError('drifted');
        },
      },
    },
  ],
  [
    'rediscover returning no promise',
    { masters: [{ client: { isReady: true } }], _slots: { rediscover: () => undefined } },
  ],
  [
    'a getter that throws',
    {
      get masters() {
        throw new Error('private field moved');
      },
      _slots: { rediscover: async () => {} },
    },
  ],
];

describe('slot-map refresh on a drifted node-redis', () => {
  for (const [what, internals] of DRIFTED) {
    it(`${what}: the operation still fails with a StoreError`, async () => {
      const { telemetry, counts } = recording();
      const store = new RedisStore({ cluster: downCluster(internals), telemetry });
      const error = await store.get('k').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
      const client = toCommandClient({ cluster: downCluster(internals) });
      await expect(client.sendCommand(['GET', 'k'])).rejects.toThrow('Socket closed unexpectedly');
      if (
        what !== 'rediscover throwing synchronously' &&
        what !== 'rediscover returning no promise'
      )
        expect(counts.get('portcullis.store_redis.slot_refresh_unavailable')).toBe(1);
    });
  }
});

describe('background undo while a primary is down', () => {
  it('holds at most 10 000 writes of unknown outcome, counting the ones it drops', async () => {
    const clock = new ManualClock(0);
    const { telemetry, counts } = recording();
    let down = true;
    const undone = new Set<string>();
    const cluster = {
      masters: [],
      _slots: { rediscover: async () => {} },
      async sendCommand(
        _key: string | undefined,
        _ro: boolean | undefined,
        args: readonly string[],
      ) {
        if (down) throw new Error('Socket closed unexpectedly');
        if (args[0] === 'EVALSHA') undone.add(args[4] as string);
        return 1;
      },
    } as unknown as RedisClusterLike;
    const store = new RedisStore({ cluster, clock, telemetry, keyPrefix: '' });
    const calls = Array.from({ length: 10_050 }, (_, i) =>
      store.setIfAbsent(`m${i}`, `u${i}`, 600_000).catch(() => false),
    );
    await Promise.all(calls);
    expect(counts.get('portcullis.store_redis.undo_dropped')).toBe(50);
    down = false;
    // close() gives each held write one last try (no clock needed): exactly the 10 000 held.
    await store.close();
    expect(undone.size).toBe(10_000);
  });
});
