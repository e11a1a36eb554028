import { isPortcullisError } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisClusterPeer, startRedisCluster } from '../harness/redisCluster.ts';
import { describeRedisStoreConformance } from '../store/redisConformance.ts';

let cluster: RedisClusterPeer;
beforeAll(async () => {
  cluster = await startRedisCluster();
});
afterAll(async () => {
  await cluster?.stop();
});

describeRedisStoreConformance('RedisStore on Redis Cluster', (keyPrefix) =>
  RedisStore.connectCluster({ urls: cluster.urls, keyPrefix }),
);

describe('RedisStore on Redis Cluster', () => {
  it('spreads keys over every primary, each operation on its own slot', async () => {
    const store = await RedisStore.connectCluster({ urls: cluster.urls, keyPrefix: 'spread:' });
    const ports = new Set<number>();
    for (let i = 0; i < 30; i++) {
      expect(await store.setIfAbsent(`nonce-${i}`, 'v', 60_000)).toBe(true);
      expect((await store.increment(`count-${i}`, 60_000)).value).toBe(1);
      ports.add((await cluster.primaryOf(await cluster.keySlot(`spread:nonce-${i}`))).port);
    }
    expect(ports.size).toBe(3);
    for (let i = 0; i < 30; i++) expect(await store.get(`nonce-${i}`)).toBe('v');
    await store.close();
  });

  it('wraps a caller-owned cluster client, and close() leaves it open', async () => {
    const client = createCluster({
      rootNodes: cluster.urls.map((url) => ({ url })),
      defaults: { disableOfflineQueue: true },
    });
    client.on('error', () => {});
    await client.connect();
    const store = new RedisStore({ cluster: client, keyPrefix: 'owned:' });
    expect(await store.setIfAbsent('lock', 'me', 60_000)).toBe(true);
    expect(await store.compareAndDelete('lock', 'me')).toBe(true);
    await store.close();
    expect(await client.sendCommand('x', false, ['PING'])).toBe('PONG');
    client.destroy();
  });

  it('with durableWrites, each write is confirmed by the replica (WAIT 1)', async () => {
    const store = await RedisStore.connectCluster({
      urls: cluster.urls,
      keyPrefix: 'durable:',
      durableWrites: { replicas: 1, timeoutMs: 500 },
    });
    expect(await store.setIfAbsent('mark', 'a', 60_000)).toBe(true);
    expect(await store.setIfAbsent('mark', 'b', 60_000)).toBe(false);
    await store.set('k', 'v', 60_000);
    expect((await store.increment('c', 60_000)).value).toBe(1);
    await store.close();
  });

  it('with durableWrites, a write too few replicas confirm fails typed, and a setIfAbsent is taken back', async () => {
    // Each primary has one replica: asking for two can never be met.
    const store = await RedisStore.connectCluster({
      urls: cluster.urls,
      keyPrefix: 'undurable:',
      durableWrites: { replicas: 2, timeoutMs: 100 },
    });
    const error = await store.setIfAbsent('mark', 'a', 60_000).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toBe(
      'Redis did not confirm the write on 2 replica(s) within 100 ms.',
    );
    expect(await store.get('mark')).toBeUndefined(); // no mark left that nobody knows of
    await expect(store.set('k', 'v', 60_000)).rejects.toMatchObject({
      code: 'ERR_STORE_UNAVAILABLE',
    });
    await store.close();
  });

  it('refuses a durableWrites wait that is not shorter than the command timeout', async () => {
    await expect(
      RedisStore.connectCluster({
        urls: cluster.urls,
        commandTimeoutMs: 500,
        durableWrites: { replicas: 1, timeoutMs: 500 },
      }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('a SIGKILLed primary: every operation answers or fails typed within commandTimeoutMs, and the store recovers once the replica is promoted', async () => {
    const TIMEOUT = 400;
    const store = await RedisStore.connectCluster({
      urls: cluster.urls,
      keyPrefix: 'failover:',
      commandTimeoutMs: TIMEOUT,
    });
    const key = 'counter';
    const slot = await cluster.keySlot(`failover:${key}`);
    let acknowledged = 0;
    const outcomes: Array<{ ok: boolean; ms: number }> = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const t = Date.now();
        try {
          await store.increment(key, 60_000);
          acknowledged++;
          outcomes.push({ ok: true, ms: Date.now() - t });
        } catch (error) {
          expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
          outcomes.push({ ok: false, ms: Date.now() - t });
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await new Promise((r) => setTimeout(r, 200));
    const { killed } = await cluster.killPrimaryOf(slot);
    // Promoted: the same store, no restart, answers again within a second.
    const recoveredBy = Date.now() + 3000;
    while (Date.now() < recoveredBy && !outcomes.at(-1)?.ok) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const failedBefore = outcomes.filter((o) => !o.ok).length;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await load;
    await cluster.restart(killed);

    expect(failedBefore).toBeGreaterThan(0); // the kill was felt
    expect(outcomes.at(-1)?.ok).toBe(true); // …and the store recovered by itself
    expect(outcomes.slice(-5).every((o) => o.ok)).toBe(true);
    // Bounded by the timeout; the slack is for a loaded 2-core CI machine, not for a hang.
    for (const o of outcomes) expect(o.ms).toBeLessThan(TIMEOUT + 1000);
    // Nothing counted twice: the counter holds at most what was acknowledged (increments
    // acknowledged by the dead primary and not yet replicated can be lost, never duplicated).
    const value = Number(await store.get(key));
    expect(value).toBeLessThanOrEqual(acknowledged + outcomes.filter((o) => !o.ok).length);
    expect(value).toBeGreaterThan(0);
    await store.close();
  });
});
