import { type ManualClock, MemoryStore, type Store } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { API } from '../fakeServer.ts';
import {
  advance,
  during,
  fleet,
  never,
  type SpyStore,
  slowWriteStore,
  spyStore,
  storedToken,
  track,
} from './helpers.ts';

describe('fleet mode: a token invalidated around its store write', () => {
  it('is deleted from the store by invalidate(): no other process adopts it', async () => {
    const { providers, server, clock } = fleet(2, (c) => slowWriteStore(c, 800));
    const [a, b] = [providers[0]!, providers[1]!];
    const revoked = (await during(clock, a.getToken(), 900)).value.reveal();
    await during(clock, a.invalidate(), 100);
    const other = await during(clock, b.getToken(), 1000);
    expect(other.value.reveal()).not.toBe(revoked);
    expect(server.tokenRequests).toHaveLength(2);
    // And its 401s are acted on: B fetched that token itself.
    server.resourceStatuses = [401];
    const retried = await during(clock, b.fetch(`${API}/orders`), 1000);
    expect(retried.status).toBe(200);
    expect(server.tokenRequests).toHaveLength(3);
  });

  it('is deleted again when its write lands after storeTimeoutMs', async () => {
    const { providers, server, clock } = fleet(2, (c) => slowWriteStore(c, 1500));
    const [a, b] = [providers[0]!, providers[1]!];
    const call = track(a.getToken());
    await advance(clock, 1100); // the bound (and a step): getToken() does not wait for more
    expect(call.settled()).toBe(true);
    const revoked = (await call.promise).value.reveal();
    await during(clock, a.invalidate(), 100);
    await advance(clock, 1000); // the write lands at 1500 ms, and is deleted
    const other = await during(clock, b.getToken(), 2000);
    expect(other.value.reveal()).not.toBe(revoked);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('a 401 retry gets a new token; the refused one never reaches the fleet', async () => {
    const { providers, server, clock } = fleet(2, (c) => slowWriteStore(c, 800));
    const [a, b] = [providers[0]!, providers[1]!];
    const refused = (await during(clock, a.getToken(), 900)).value.reveal();
    server.resourceStatuses = [401];
    const response = await during(clock, a.fetch(`${API}/orders`), 1000);
    expect(response.status).toBe(200);
    expect(server.tokenRequests).toHaveLength(2);
    const replacement = (await a.getToken()).value.reveal();
    expect(replacement).not.toBe(refused);
    expect(server.resourceRequests[1]!.headers.get('authorization')).toBe(`Bearer ${replacement}`);
    await advance(clock, 2000);
    const other = await during(clock, b.getToken(), 300);
    expect(other.value.reveal()).toBe(replacement);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('a replacement invalidated while its write is still pending is deleted when it lands', async () => {
    const { providers, server, clock } = fleet(2, (c) => slowWriteStore(c, 1500));
    const [a, b] = [providers[0]!, providers[1]!];
    const refused = (await during(clock, a.getToken(), 1100)).value.reveal();
    server.resourceStatuses = [401];
    expect((await during(clock, a.fetch(`${API}/orders`), 1100)).status).toBe(200);
    const replacement = (await a.getToken()).value.reveal();
    await during(clock, a.invalidate(replacement), 100);
    await advance(clock, 2000); // both late writes land, and are deleted
    const other = (await during(clock, b.getToken(), 2000)).value.reveal();
    expect(other).not.toBe(replacement);
    expect(other).not.toBe(refused);
    expect(server.tokenRequests).toHaveLength(3);
  });

  it('a token invalidated after a later refresh failed is still removed', async () => {
    const { providers, server, clock } = fleet(2, (c) => slowWriteStore(c, 1500));
    const [a, b] = [providers[0]!, providers[1]!];
    await during(clock, a.getToken(), 1100);
    const held = await during(clock, a.getToken({ forceRefresh: true }), 1100);
    server.replies = [{ kind: 'error', status: 503 }];
    // Caught at once: it settles while the clock advances.
    const failing = a.getToken({ forceRefresh: true }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(await during(clock, failing, 100)).toMatchObject({
      code: 'ERR_OAUTH_SERVER_UNAVAILABLE',
    });
    await during(clock, a.invalidate(held), 100);
    await advance(clock, 3000);
    const other = await during(clock, b.getToken(), 2000);
    expect(other.value.reveal()).not.toBe(held.value.reveal());
    expect(server.tokenRequests).toHaveLength(4); // the failed one counts
  });
});

describe('fleet mode: late writes never leave an older or revoked token last', () => {
  // Each of these lets the first token write land only after 5 s (storeTimeoutMs is 1 s).
  function lateFirstWrite(c: ManualClock): Store {
    return slowWriteStore(c, [5000, 0, 0, 0]);
  }

  it('an older write landing after a newer one is deleted, not left last', async () => {
    const { providers, server, clock, store } = fleet(2, (c) => spyStore(lateFirstWrite(c)));
    const [a, b] = [providers[0]!, providers[1]!];
    const older = (await during(clock, a.getToken(), 1100)).value.reveal();
    const newer = (await during(clock, a.getToken({ forceRefresh: true }), 100)).value.reveal();
    expect(newer).not.toBe(older);
    await advance(clock, 5000);
    expect(await storedToken(store, store as SpyStore)).toBeUndefined();
    const other = (await during(clock, b.getToken(), 2000)).value.reveal();
    expect(other).not.toBe(older);
    expect((await a.getToken()).value.reveal()).toBe(newer);
    expect(server.tokenRequests).toHaveLength(3);
  });

  it('a token invalidated twice is never re-sent or adopted', async () => {
    const { providers, server, clock } = fleet(2, (c) => lateFirstWrite(c));
    const [a, b] = [providers[0]!, providers[1]!];
    const t1 = await during(clock, a.getToken(), 1100); // its write lands at 5 s
    await during(clock, a.invalidate(t1), 100);
    const t2 = await during(clock, a.getToken(), 100); // written at once
    await during(clock, a.invalidate(t2), 100);
    await advance(clock, 4000); // t1 lands late, and is deleted
    const got = (await during(clock, b.getToken(), 2000)).value.reveal();
    expect(got).not.toBe(t1.value.reveal());
    expect(got).not.toBe(t2.value.reveal());
    expect(server.tokenRequests).toHaveLength(3);
  });

  it('an older token is not left last when a newer one was revoked before its write', async () => {
    const { providers, server, clock, store } = fleet(2, (c) => spyStore(lateFirstWrite(c)));
    const [a, b] = [providers[0]!, providers[1]!];
    const t1 = await during(clock, a.getToken(), 1100); // its write lands at 5 s
    const t2 = await during(clock, a.getToken({ forceRefresh: true }), 100);
    await during(clock, a.invalidate(t2), 100);
    const t3 = await during(clock, a.getToken(), 100);
    await advance(clock, 5000); // t1 lands late over t3, and is deleted
    expect(await storedToken(store, store as SpyStore)).toBeUndefined();
    const got = (await during(clock, b.getToken(), 2000)).value.reveal();
    expect([t1, t2].map((t) => t.value.reveal())).not.toContain(got);
    expect((await a.getToken()).value.reveal()).toBe(t3.value.reveal());
    expect(server.tokenRequests).toHaveLength(4);
  });

  it('writes that never land keep nothing pending: each refresh is bounded', async () => {
    const { providers, server, clock } = fleet(1, (c) => {
      const memory = new MemoryStore({ clock: c });
      return {
        ...spyStore(memory),
        set: (k, v, t) => (k.endsWith(':token') ? never() : memory.set(k, v, t)),
      };
    });
    const a = providers[0]!;
    for (let i = 1; i <= 40; i++) {
      const refresh = track(a.getToken({ forceRefresh: true }));
      await advance(clock, 1100); // storeTimeoutMs, and a step
      expect(refresh.settled()).toBe(true);
      await refresh.promise;
      // Only the refresh timer is scheduled: no timers for writes that never land.
      expect(clock.pending).toBeLessThanOrEqual(1);
    }
    a.close();
    expect(clock.pending).toBe(0);
    expect(server.tokenRequests).toHaveLength(40);
  });
});
