import { MemoryStore, type Store } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { API, settle } from '../fakeServer.ts';
import {
  advance,
  expectSettlesAfter,
  fleet,
  never,
  type SpyStore,
  slowWriteStore,
  spyStore,
  storedToken,
  track,
} from './helpers.ts';

describe('fleet mode (shared Store)', () => {
  it('four processes starting together make one token request', async () => {
    const { server, providers, clock } = fleet(4);
    const all = Promise.all(providers.flatMap((p) => [p.getToken(), p.getToken()]));
    await advance(clock, 500);
    const tokens = await all;
    expect(server.tokenRequests).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.value.reveal())).size).toBe(1);
  });

  it('refreshes once per window across the fleet', async () => {
    const { server, providers, clock } = fleet(4);
    const first = Promise.all(providers.map((p) => p.getToken()));
    await advance(clock, 300);
    await first;
    // Every process keeps using its token through three lifetimes (100 s each).
    for (let s = 0; s < 300; s++) {
      await advance(clock, 1000, 500);
      await Promise.all(providers.map((p) => p.getToken()));
    }
    // One initial request, then one per ~70–80 s window: 4 or 5, never one per process.
    expect(server.tokenRequests.length).toBeGreaterThanOrEqual(4);
    expect(server.tokenRequests.length).toBeLessThanOrEqual(5);
  });

  it('a process that died holding the lock blocks the others only until the lock TTL', async () => {
    // Learn the lock key from a probe process (same client and parameters → same key).
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    const lockKey = (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':lock'))![0];

    const { server, providers, clock, store } = fleet(1);
    const provider = providers[0]!;
    await store.set(lockKey, 'dead-process', 5000); // the "dead" holder's lock, 5 s left
    const waiting = provider.getToken();
    await advance(clock, 4000);
    expect(server.tokenRequests).toHaveLength(0);
    await advance(clock, 1500);
    await expect(waiting).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('falls back to this process alone when the store fails', async () => {
    const broken: Store = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      setIfAbsent: () => Promise.reject(new Error('down')),
      increment: () => Promise.reject(new Error('down')),
      delete: () => Promise.reject(new Error('down')),
      compareAndDelete: () => Promise.reject(new Error('down')),
    };
    const { server, providers } = fleet(1, () => broken);
    await expect(providers[0]!.getToken()).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('writes only the access token to the store, and invalidate removes it there', async () => {
    const { providers, store, server } = fleet(2, (clock) => spyStore(new MemoryStore({ clock })));
    const spy = store as SpyStore;
    await providers[0]!.getToken();
    const tokenWrite = spy.writes.find(([k]) => k.endsWith(':token'))!;
    const record = JSON.parse(tokenWrite[1]) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(['exp', 'iat', 's', 't', 'ty', 'v']);
    expect(record.t).toBe(server.issued[0]);
    expect(tokenWrite[0]).not.toContain('svc'); // keys are hashed
    // The second process adopts it without a request; its invalidation removes it for all.
    await providers[1]!.getToken();
    expect(server.tokenRequests).toHaveLength(1);
    await providers[1]!.invalidate();
    expect(await spy.get(tokenWrite[0])).toBeUndefined();
  });

  it('a 401 does not make a process delete a token another process has just fetched', async () => {
    const { providers, server, clock } = fleet(2);
    const shared = await providers[0]!.getToken();
    expect((await providers[1]!.getToken()).value.reveal()).toBe(shared.value.reveal());
    server.resourceStatuses = [401];
    const refused = await providers[1]!.fetch(`${API}/orders`);
    expect(refused.status).toBe(401);
    expect(server.tokenRequests).toHaveLength(1);
    // Still the fleet's token, in both processes.
    expect((await providers[0]!.getToken()).value.reveal()).toBe(shared.value.reveal());
    // Once it is older than minRefreshIntervalMs (1 s), a 401 replaces it for the fleet.
    clock.advance(1000);
    server.resourceStatuses = [401];
    const retried = providers[1]!.fetch(`${API}/orders`);
    await advance(clock, 300);
    expect((await retried).status).toBe(200);
    expect(server.tokenRequests).toHaveLength(2);
  });
});

describe('fleet mode: getToken() waits for the store write, bounded', () => {
  it('returns once the write has landed and the lock is released; the fleet then adopts it', async () => {
    const { providers, server, clock, store } = fleet(2, (c) => spyStore(slowWriteStore(c, 800)));
    const [a, b] = [providers[0]!, providers[1]!];
    const call = track(a.getToken());
    await advance(clock, 750);
    expect(call.settled()).toBe(false);
    await advance(clock, 100);
    expect(call.settled()).toBe(true);
    const token = (await call.promise).value.reveal();
    // The lock is gone (released, not left for its TTL) and the record is in the store.
    const lockKey = (store as SpyStore).writes.find(([k]) => k.endsWith(':lock'))![0];
    expect(await store.get(lockKey)).toBeUndefined();
    expect(await storedToken(store, store as SpyStore)).toContain(token);
    await expect(b.getToken()).resolves.toMatchObject({ value: expect.anything() });
    expect((await b.getToken()).value.reveal()).toBe(token);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('a hung write and a hung lock release cost getToken() at most 2 × storeTimeoutMs', async () => {
    const { providers, server, clock } = fleet(
      1,
      (c) => ({ ...spyStore(new MemoryStore({ clock: c })), set: never, compareAndDelete: never }),
      {},
      500,
    );
    const call = track(providers[0]!.getToken());
    await settle();
    clock.advance(500); // the write times out; the lock release starts
    await settle();
    await expectSettlesAfter(clock, call, 500);
    await expect(call.promise).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(1);
  });
});
