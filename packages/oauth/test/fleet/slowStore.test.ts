import { ManualClock, MemoryStore, redacted, type Store, type Telemetry } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { fakeServer, ISSUER, settle } from '../fakeServer.ts';
import { expectSettlesAfter, never, spyStore, T0, track } from './helpers.ts';

describe('fleet mode: a slow or hung store', () => {
  function withStore(store: Store, storeTimeoutMs?: number) {
    const clock = new ManualClock(T0);
    const server = fakeServer(clock);
    const counts = new Map<string, number>();
    const telemetry: Telemetry = {
      count: (name, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
      record: () => {},
      span: (_n, fn) => fn(),
    };
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: redacted('s') },
      scope: 'read',
      fetch: server.fetch,
      clock,
      telemetry,
      fleet: storeTimeoutMs === undefined ? { store } : { store, storeTimeoutMs },
    });
    return { clock, server, provider, counts };
  }

  it('a hung store costs getToken() at most storeTimeoutMs, then the process fetches on its own', async () => {
    const hung: Store = {
      get: never,
      set: never,
      setIfAbsent: never,
      increment: never,
      delete: never,
      compareAndDelete: never,
    };
    const { clock, server, provider, counts } = withStore(hung, 250);
    const call = track(provider.getToken());
    await settle();
    await expectSettlesAfter(clock, call, 250);
    await expect(call.promise).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(1);
    expect(counts.get('portcullis.oauth.store_errors')).toBe(1);
    provider.close();
  });

  it('the default bound is 1000 ms (a hung lock)', async () => {
    const memory = new MemoryStore();
    const { clock, server, provider } = withStore({
      ...spyStore(memory),
      setIfAbsent: never,
    });
    const call = track(provider.getToken());
    await settle();
    await expectSettlesAfter(clock, call, 1000);
    await expect(call.promise).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('a failing write is counted, not thrown (no unhandled rejection)', async () => {
    const memory = new MemoryStore();
    const { provider, counts } = withStore({
      ...spyStore(memory),
      set: () => Promise.reject(new Error('read-only replica')),
    });
    await expect(provider.getToken()).resolves.toMatchObject({ type: 'Bearer' });
    await settle();
    expect(counts.get('portcullis.oauth.store_errors')).toBe(1);
    provider.close();
  });

  it('refuses a storeTimeoutMs that is not a positive number', () => {
    expect(() =>
      createTokenProvider({
        issuer: ISSUER,
        clientId: 'svc',
        clientAuth: { method: 'client_secret_post', secret: 's' },
        fleet: { store: new MemoryStore(), storeTimeoutMs: 0 },
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });
});
