// Cluster and Sentinel without sockets: which client is wrapped, option checks, durableWrites
// (WAIT after each write), the background undo of writes of unknown outcome, the slot-map refresh
// after a failure without a reply, and toCommandClient's routing by key.
import { ManualClock, StoreError } from '@portcullis/core';
import {
  type RedisClusterLike,
  type RedisSentinelLike,
  RedisStore,
  toCommandClient,
} from '@portcullis/store-redis';
import { describe, expect, it } from 'vitest';

/** A fake cluster client answering from `reply`, recording (firstKey, args) of each command. */
function fakeCluster(reply: (args: string[]) => unknown) {
  const sent: Array<{ key: string | undefined; args: string[] }> = [];
  let rediscovers = 0;
  const client = { isReady: true };
  const cluster: RedisClusterLike & Record<string, unknown> = {
    masters: [{ client }],
    _slots: {
      rediscover: async () => {
        rediscovers++;
      },
    },
    async sendCommand(key, _readonly, args) {
      sent.push({ key, args: [...args] });
      const r = reply([...args]);
      if (r instanceof Error) throw r;
      return r;
    },
  };
  return { cluster, sent, rediscovers: () => rediscovers };
}

class ErrorReply extends Error {}

describe('RedisStore over a cluster or Sentinel client', () => {
  it('takes exactly one of client, cluster, sentinel', () => {
    const { cluster } = fakeCluster(() => 'OK');
    expect(() => new RedisStore({} as never)).toThrow(
      /exactly one of options.client, options.cluster, options.sentinel/,
    );
    expect(
      () => new RedisStore({ cluster, sentinel: { sendCommand: async () => 'OK' } } as never),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => new RedisStore({ cluster: {} as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });

  it('routes each command by its key on a cluster (scripts by KEYS[1])', async () => {
    const { cluster, sent } = fakeCluster((args) =>
      args[0] === 'EVALSHA' ? ['1', 60_000] : args[0] === 'GET' ? 'v' : 'OK',
    );
    const store = new RedisStore({ cluster, keyPrefix: 'p:' });
    expect(await store.get('a')).toBe('v');
    expect((await store.increment('b', 60_000)).value).toBe(1);
    expect(sent.map((s) => s.key)).toEqual(['p:a', 'p:b']);
  });

  it('sends every command to the primary through Sentinel (isReadonly false)', async () => {
    const seen: Array<[boolean | undefined, string[]]> = [];
    const sentinel: RedisSentinelLike = {
      async sendCommand(readonly, args) {
        seen.push([readonly, [...args]]);
        return 'v';
      },
    };
    expect(await new RedisStore({ sentinel }).get('k')).toBe('v');
    expect(seen).toEqual([[false, ['GET', 'portcullis:k']]]);
  });

  it('asks the cluster client to re-read its slot map after a failure without a reply, not after a data error', async () => {
    let fail: Error | undefined = new Error('The client is offline');
    const fake = fakeCluster(() => fail ?? 'OK');
    const store = new RedisStore({ cluster: fake.cluster });
    await expect(store.get('k')).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    expect(fake.rediscovers()).toBe(1);
    // Refreshes are throttled: a burst of failures costs one.
    await expect(store.get('k')).rejects.toBeInstanceOf(StoreError);
    expect(fake.rediscovers()).toBe(1);
    fail = Object.assign(new ErrorReply('WRONGTYPE Operation against a key'), {});
    Object.defineProperty(fail.constructor, 'name', { value: 'ErrorReply' });
    await new Promise((r) => setTimeout(r, 110));
    await expect(store.get('k')).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    expect(fake.rediscovers()).toBe(1);
    fail = undefined;
    expect(await store.get('k')).toBe('OK');
  });

  it('durableWrites: WAIT after each write, too few replicas fail typed and a setIfAbsent is taken back', async () => {
    let acked = 1;
    const fake = fakeCluster((args) =>
      args[0] === 'WAIT' ? acked : args[0] === 'EVALSHA' ? 1 : 'OK',
    );
    const store = new RedisStore({
      cluster: fake.cluster,
      keyPrefix: '',
      durableWrites: { replicas: 1, timeoutMs: 250 },
    });
    expect(await store.setIfAbsent('m', 'v1', 1000)).toBe(true);
    expect(fake.sent.map((s) => s.args[0])).toEqual(['SET', 'WAIT']);
    expect(fake.sent[1]).toEqual({ key: 'm', args: ['WAIT', '1', '250'] });
    acked = 0;
    await expect(store.setIfAbsent('m2', 'v2', 1000)).rejects.toThrow(
      'Redis did not confirm the write on 1 replica(s) within 250 ms.',
    );
    expect(fake.sent.slice(2).map((s) => s.args[0])).toEqual(['SET', 'WAIT', 'EVALSHA']);
    expect(fake.sent.at(-1)?.args.slice(3)).toEqual(['m2', 'v2']);
  });

  it('checks durableWrites: whole replicas ≥ 1, a wait shorter than the command timeout', () => {
    const { cluster } = fakeCluster(() => 'OK');
    for (const durableWrites of [
      { replicas: 0, timeoutMs: 100 },
      { replicas: 1.5, timeoutMs: 100 },
      { replicas: 1, timeoutMs: 0 },
      { replicas: 1, timeoutMs: 2000 },
    ]) {
      expect(() => new RedisStore({ cluster, durableWrites })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    }
    expect(() => new RedisStore({ cluster, durableWrites: { replicas: 1 } as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(
      () =>
        new RedisStore({ cluster, durableWrites: { replicas: 1, timeoutMs: 5, x: 1 } as never }),
    ).toThrow(/Unknown option "options.durableWrites.x"/);
  });

  it('a setIfAbsent that failed without a reply is taken back in the background once the store answers', async () => {
    const clock = new ManualClock(0);
    let down = true;
    const fake = fakeCluster((args) =>
      down ? new Error('Socket closed unexpectedly') : args[0] === 'EVALSHA' ? 1 : 'OK',
    );
    const store = new RedisStore({ cluster: fake.cluster, clock, keyPrefix: '' });
    await expect(store.setIfAbsent('mark', 'unique-1', 60_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    const tick = async (ms: number) => {
      for (let t = 0; t < ms; t += 25) {
        clock.advance(25);
        await new Promise((r) => setImmediate(r));
      }
    };
    await tick(300); // retries while still down
    const tried = fake.sent.length;
    expect(tried).toBeGreaterThan(1);
    down = false;
    await tick(2500);
    const undo = fake.sent.filter((s) => s.args[0] === 'EVALSHA' && s.args[4] === 'unique-1');
    expect(undo.length).toBeGreaterThanOrEqual(1);
    expect(undo.at(-1)?.args.slice(3)).toEqual(['mark', 'unique-1']);
    const count = fake.sent.length;
    await tick(5000);
    expect(fake.sent.length).toBe(count); // taken back once, then forgotten
  });

  it('close() gives writes of unknown outcome one last try', async () => {
    let down = true;
    const fake = fakeCluster(() => (down ? new Error('offline') : 1));
    const store = new RedisStore({ cluster: fake.cluster, keyPrefix: '' });
    await expect(store.setIfAbsent('mark', 'u-2', 60_000)).rejects.toBeInstanceOf(StoreError);
    down = false;
    await store.close();
    expect(fake.sent.at(-1)?.args.slice(3)).toEqual(['mark', 'u-2']);
  });
});

describe('connectCluster and connectSentinel options', () => {
  it('refuse a URL that is not redis:// without echoing it, and an empty list', async () => {
    const bad = 'http://admin:hunter2@10.0.0.1:6379';
    const error = await RedisStore.connectCluster({ urls: [bad] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(String((error as Error).message)).not.toContain('hunter2');
    expect(String((error as Error).message)).toContain('options.urls[0]');
    await expect(RedisStore.connectCluster({ urls: [] })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(
      RedisStore.connectSentinel({ masterName: 'm', sentinels: [bad] }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(
      RedisStore.connectSentinel({ sentinels: ['redis://127.0.0.1:1'] } as never),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    await expect(
      RedisStore.connectCluster({ urls: ['redis://127.0.0.1:1'], url: 'x' } as never),
    ).rejects.toThrow(/Unknown option "options.url"/);
  });
});

describe('toCommandClient', () => {
  it('routes a plain sendCommand by its first key, or a script by KEYS[1]', async () => {
    const { cluster, sent } = fakeCluster(() => 'OK');
    const client = toCommandClient({ cluster });
    await client.sendCommand(['GET', 'a']);
    await client.sendCommand(['EVALSHA', 'sha', '2', 'rl:{k}:x', 'rl:{k}:y', '1']);
    await client.sendCommand(['EVAL', 'return 1', '0']);
    expect(sent.map((s) => s.key)).toEqual(['a', 'rl:{k}:x', '']);
  });

  it('refreshes the slot map after an aborted command, and refuses what is not a client', async () => {
    const fake = fakeCluster(() => new Promise(() => {}));
    const client = toCommandClient({ cluster: fake.cluster });
    const controller = new AbortController();
    void client.sendCommand(['GET', 'a'], { abortSignal: controller.signal });
    controller.abort();
    expect(fake.rediscovers()).toBe(1);
    expect(() => toCommandClient({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});
