// RedisStore through Sentinel (a primary, a replica, three sentinels, all real): the store
// conformance suite, WAIT, and the primary SIGKILLed under load with the replica promoted.
import { randomUUID } from 'node:crypto';
import { isPortcullisError } from '@portcullis/core';
import { RedisStore } from '@portcullis/store-redis';
import { createSentinel } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisSentinelPeer, startRedisSentinel } from '../harness/redisSentinel.ts';
import { describeRedisStoreConformance } from '../store/redisConformance.ts';

let sentinel: RedisSentinelPeer;
beforeAll(async () => {
  sentinel = await startRedisSentinel();
});
afterAll(async () => {
  await sentinel?.stop();
});

const sentinels = (): string[] => sentinel.sentinels.map((s) => s.url);

describeRedisStoreConformance('RedisStore through Sentinel', (keyPrefix) =>
  RedisStore.connectSentinel({
    masterName: sentinel.masterName,
    sentinels: sentinels(),
    keyPrefix,
  }),
);

describe('RedisStore through Sentinel', () => {
  it('wraps a caller-owned Sentinel client, and close() leaves it open', async () => {
    const client = createSentinel({
      name: sentinel.masterName,
      sentinelRootNodes: sentinel.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      nodeClientOptions: { disableOfflineQueue: true },
    });
    client.on('error', () => {});
    await client.connect();
    const store = new RedisStore({ sentinel: client, keyPrefix: 'owned:' });
    expect(await store.setIfAbsent('lock', 'me', 60_000)).toBe(true);
    await store.close();
    expect(await client.sendCommand(false, ['GET', 'owned:lock'])).toBe('me');
    client.destroy();
  });

  it('a SIGKILLed primary: operations fail typed within commandTimeoutMs, resume on the promoted replica, and durableWrites refuse while no replica confirms', async () => {
    const TIMEOUT = 400;
    const open = (durable: boolean) =>
      RedisStore.connectSentinel({
        masterName: sentinel.masterName,
        sentinels: sentinels(),
        keyPrefix: 'failover:',
        commandTimeoutMs: TIMEOUT,
        ...(durable ? { durableWrites: { replicas: 1, timeoutMs: 200 } } : {}),
      });
    const store = await open(false);
    const durable = await open(true);
    expect(await durable.setIfAbsent('before', randomUUID(), 60_000)).toBe(true);

    const outcomes: Array<{ ok: boolean; ms: number }> = [];
    let acknowledged = 0;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const t = Date.now();
        try {
          await store.increment('counter', 60_000);
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
    const { killed, promoted } = await sentinel.killPrimary();
    expect(promoted.port).not.toBe(killed.port);
    const recoveredBy = Date.now() + 5000;
    while (Date.now() < recoveredBy && !outcomes.at(-1)?.ok) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await load;
    expect(outcomes.some((o) => !o.ok)).toBe(true);
    expect(outcomes.slice(-5).every((o) => o.ok)).toBe(true); // recovered, same store
    // Bounded by the timeout; the slack is for a loaded 2-core CI machine, not for a hang.
    for (const o of outcomes) expect(o.ms).toBeLessThan(TIMEOUT + 1000);
    expect(Number(await store.get('counter'))).toBeLessThanOrEqual(
      acknowledged + outcomes.filter((o) => !o.ok).length,
    );

    // The promoted replica has no replica of its own: a durable write cannot be confirmed, so
    // it is refused and taken back, never left to be lost by the next failover.
    const error = await durable.setIfAbsent('alone', 'x', 60_000).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    expect(await store.get('alone')).toBeUndefined();
    // The killed node comes back as a replica: durable writes are confirmed again.
    await sentinel.restart(killed);
    expect(await durable.setIfAbsent('after', randomUUID(), 60_000)).toBe(true);
    await Promise.all([store.close(), durable.close()]);
  });
});
