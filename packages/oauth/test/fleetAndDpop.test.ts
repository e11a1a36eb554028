import { ManualClock, MemoryStore, redacted, type Store, type Telemetry } from '@portcullis/core';
import { createTokenProvider, type TokenProviderOptions } from '@portcullis/oauth';
import fc from 'fast-check';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  jwtVerify,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { API, fakeServer, ISSUER, settle, TOKEN_ENDPOINT } from './fakeServer.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

function fleet(
  processes: number,
  makeStore: (clock: ManualClock) => Store = (clock) => new MemoryStore({ clock }),
  options: Partial<TokenProviderOptions> = {},
  storeTimeoutMs?: number,
) {
  const clock = new ManualClock(T0);
  const store = makeStore(clock);
  const server = fakeServer(clock);
  const providers = Array.from({ length: processes }, (_, i) =>
    createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: redacted('s') },
      scope: 'read',
      fetch: server.fetch,
      clock,
      random: () => i / processes,
      refresh: { clockSkewMs: 10_000 },
      fleet: {
        store,
        lockTtlMs: 5000,
        pollIntervalMs: 100,
        ...(storeTimeoutMs === undefined ? {} : { storeTimeoutMs }),
      },
      ...options,
    }),
  );
  return { clock, server, providers, store };
}

interface SpyStore extends Store {
  writes: [string, string][];
}

function spyStore(store: Store): SpyStore {
  const writes: [string, string][] = [];
  return {
    writes,
    get: (k) => store.get(k),
    set(k, v, t) {
      writes.push([k, v]);
      return store.set(k, v, t);
    },
    setIfAbsent(k, v, t) {
      writes.push([k, v]);
      return store.setIfAbsent(k, v, t);
    },
    increment: (k, t, b) => store.increment(k, t, b),
    delete: (k) => store.delete(k),
    compareAndDelete: (k, e) => store.compareAndDelete(k, e),
  };
}

async function advance(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle(5);
  }
}

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

/** A store whose token writes take `delayMs` on the clock to land (the lock and reads are fast). */
/** Token writes land after `delayMs` (or, given a list, after each delay in turn, then 100 ms). */
function slowWriteStore(clock: ManualClock, delayMs: number | number[]): Store {
  const memory = new MemoryStore({ clock });
  const delays = typeof delayMs === 'number' ? undefined : [...delayMs];
  const fixed = typeof delayMs === 'number' ? delayMs : 100;
  return {
    get: (k) => memory.get(k),
    async set(k, v, t) {
      if (k.endsWith(':token')) await clock.sleep(delays?.shift() ?? fixed);
      return memory.set(k, v, t);
    },
    setIfAbsent: (k, v, t) => memory.setIfAbsent(k, v, t),
    increment: (k, t, b) => memory.increment(k, t, b),
    delete: (k) => memory.delete(k),
    compareAndDelete: (k, e) => memory.compareAndDelete(k, e),
  };
}

/** Resolves `promise` while the clock advances `ms` (the store's writes and timeouts run). */
async function during<T>(clock: ManualClock, promise: Promise<T>, ms: number): Promise<T> {
  await advance(clock, ms);
  return promise;
}

const never = <T>(): Promise<T> => new Promise<T>(() => {});

function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return { settled: () => done, promise };
}

/** Asserts `call` is still pending `ms - 1` ms from now and settled at exactly `ms`. */
async function expectSettlesAfter(
  clock: ManualClock,
  call: { settled: () => boolean },
  ms: number,
): Promise<void> {
  clock.advance(ms - 1);
  await settle();
  expect(call.settled()).toBe(false);
  clock.advance(1);
  await settle();
  expect(call.settled()).toBe(true);
}

/** The fleet's stored token record, read straight from the store (undefined when none). */
async function storedToken(store: Store, spy: SpyStore): Promise<string | undefined> {
  const key = spy.writes.find(([k]) => k.endsWith(':token'))?.[0];
  return key === undefined ? undefined : store.get(key);
}

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

  it('a token invalidated twice is never re-sent or adopted (review r1)', async () => {
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

  it('an older token is not left last when a newer one was revoked before its write (review r3)', async () => {
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

  it('writes that never land keep nothing pending: each refresh is bounded (review r2)', async () => {
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

// Two client certificates from one test CA with the same subject (CN=svc-mtls), as two replicas
// of a fleet might hold. Public material only; validity does not matter for a thumbprint.
const CERT_A = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBhTCCASqgAwIBAgIQWvF+78lLvqw2CNHL8vTHFjAKBggqhkjOPQQDAjAdMRsw',
  'GQYDVQQDExJQb3J0Y3VsbGlzIFRlc3QgQ0EwHhcNMjYxMTIzMTQwNDEyWhcNMjYx',
  'MTI0MTQwNTEyWjATMREwDwYDVQQDEwhzdmMtbXRsczBZMBMGByqGSM49AgEGCCqG',
  'SM49AwEHA0IABExsqRHvwxLsdSMpbSCICOSiPyPuKfzVI797UKUTufD/Z/yPuVRM',
  's8F4LJ7baXJO5J+SG6EGdJnPbs0l5qB/ml6jVjBUMAwGA1UdEwEB/wQCMAAwDgYD',
  'VR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMB8GA1UdIwQYMBaAFNUO',
  'ScAmmYUCOkU5pUjHYu4/zSOsMAoGCCqGSM49BAMCA0kAMEYCIQCCRAHpPNLkTTPY',
  'hBdqvPQtSBf9LdbCvkKWUanpZpFZBQIhAMUa2GkkPRmxBiNEUWbJ6qDcwL1Nm3y0',
  'SFam9wz1Zg8e',
  '-----END CERTIFICATE-----',
].join('\n');
const CERT_B = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBhDCCASqgAwIBAgIQHp6yocKBMm7U/igqbHZEZDAKBggqhkjOPQQDAjAdMRsw',
  'GQYDVQQDExJQb3J0Y3VsbGlzIFRlc3QgQ0EwHhcNMjYxMTIzMTQwNDEzWhcNMjYx',
  'MTI0MTQwNTEzWjATMREwDwYDVQQDEwhzdmMtbXRsczBZMBMGByqGSM49AgEGCCqG',
  'SM49AwEHA0IABCjxfkvGGNOQeUer+Xn1b+maXE2xpDa3+1fma6xw49h1+tHXjYEb',
  'GzkKIW0BgwBMTVTOYzsI64yre82puW++CHOjVjBUMAwGA1UdEwEB/wQCMAAwDgYD',
  'VR0PAQH/BAQDAgeAMBMGA1UdJQQMMAoGCCsGAQUFBwMCMB8GA1UdIwQYMBaAFNUO',
  'ScAmmYUCOkU5pUjHYu4/zSOsMAoGCCqGSM49BAMCA0gAMEUCIQD2iFlxD7Re9guB',
  'dA+MONX6t5P3Cw9i9kcROIt7dL6GWwIga5yIiG+LDkoCdDBx3aUQIlCFdiwIMa9P',
  '55EbIL3vII0=',
  '-----END CERTIFICATE-----',
].join('\n');

function derOf(pem: string): Uint8Array {
  return Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
}

describe("fleet mode with mTLS: tokens are bound to each replica's certificate", () => {
  const mtls = (certificate?: string | Uint8Array): Partial<TokenProviderOptions> => ({
    clientAuth:
      certificate === undefined
        ? { method: 'tls_client_auth' }
        : { method: 'tls_client_auth', certificate },
  });

  it('replicas with different certificates never share a token; the same certificate (PEM or DER) does', async () => {
    const clock = new ManualClock(T0);
    const store = new MemoryStore({ clock });
    const server = fakeServer(clock);
    const make = (certificate: string | Uint8Array) =>
      createTokenProvider({
        issuer: ISSUER,
        clientId: 'svc',
        scope: 'read',
        fetch: server.fetch,
        clock,
        fleet: { store },
        ...mtls(certificate),
      } as TokenProviderOptions);
    const a = make(CERT_A);
    const b = make(CERT_B);
    const aDer = make(derOf(CERT_A));
    const tokenA = await a.getToken();
    const tokenB = await b.getToken();
    expect(tokenB.value.reveal()).not.toBe(tokenA.value.reveal());
    expect(server.tokenRequests).toHaveLength(2);
    expect((await aDer.getToken()).value.reveal()).toBe(tokenA.value.reveal());
    expect(server.tokenRequests).toHaveLength(2);
    for (const p of [a, b, aDer]) p.close();
  });

  it('mTLS with a fleet needs the certificate; a certificate must parse', () => {
    const base = { issuer: ISSUER, clientId: 'svc', fleet: { store: new MemoryStore() } };
    expect(() => createTokenProvider({ ...base, ...mtls() } as TokenProviderOptions)).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARG_TYPE',
        message: expect.stringContaining('clientAuth.certificate'),
      }),
    );
    expect(() =>
      createTokenProvider({
        ...base,
        ...mtls('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'),
      } as TokenProviderOptions),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() =>
      createTokenProvider({
        ...base,
        clientAuth: { method: 'tls_client_auth', certificate: 42 },
      } as unknown as TokenProviderOptions),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    // Without a fleet the certificate stays optional (one process, one certificate).
    const { fleet: _fleet, ...single } = base;
    expect(() =>
      createTokenProvider({ ...single, ...mtls() } as TokenProviderOptions),
    ).not.toThrow();
  });
});

describe('fleet mode: whatever is in the store (property)', () => {
  it('a corrupt, foreign or expired shared record is never served', async () => {
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    const tokenKey = (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':token'))![0];
    const record = fc.record({
      v: fc.constantFrom(1, 2, '1'),
      t: fc.oneof(fc.string(), fc.constant('')),
      ty: fc.constantFrom('Bearer', 'DPoP', 'mac', 'bearer'),
      s: fc.oneof(fc.array(fc.string()), fc.constant('read')),
      iat: fc.integer({ min: T0 - 200_000, max: T0 + 200_000 }),
      exp: fc.integer({ min: T0 - 200_000, max: T0 + 200_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          record.map((r) => JSON.stringify(r)),
        ),
        async (raw) => {
          const { providers, store, clock } = fleet(1);
          await store.set(tokenKey, raw, 1_000_000);
          const token = await providers[0]!.getToken();
          const lifetime = token.expiresAt - token.issuedAt;
          expect(['Bearer', 'DPoP']).toContain(token.type);
          expect(token.value.reveal()).not.toBe('');
          expect(clock.now()).toBeLessThan(token.expiresAt - Math.min(10_000, lifetime / 4));
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('fleet mode: records written by someone else', () => {
  const HOUR = 3_600_000;
  async function tokenKey(): Promise<string> {
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    return (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':token'))![0];
  }
  const forged = (fields: Record<string, unknown> = {}): string =>
    JSON.stringify({
      v: 1,
      t: 'forged',
      ty: 'Bearer',
      s: ['read'],
      iat: T0,
      exp: T0 + HOUR,
      ...fields,
    });

  it('a record beyond maxLifetimeSec, issued in the future, or with a field of the wrong type is not served', async () => {
    const key = await tokenKey();
    const refused = [
      forged({ exp: T0 + 10 * 365 * 24 * HOUR }), // ten years
      forged({ exp: T0 + 24 * HOUR + 1 }), // just over maxLifetimeSec (86 400 s)
      forged({ iat: T0 + 10_001, exp: T0 + HOUR }), // iat beyond clockSkewMs (10 s here)
      forged({ iat: String(T0) }),
      forged({ exp: T0 + 500 }), // under a second
      forged({ rin: -5 }),
      forged({ rin: '1000' }),
      forged({ s: 'read' }),
      'null',
      '[]',
    ];
    for (const raw of refused) {
      const { providers, store, server } = fleet(1);
      await store.set(key, raw, HOUR);
      const token = await providers[0]!.getToken();
      expect(token.value.reveal()).toBe(server.issued[0]);
      providers[0]!.close();
    }
    // Within the bounds, a record is adopted: the store must be trusted like the token endpoint.
    const { providers, store, server } = fleet(1);
    await store.set(key, forged({ iat: T0 + 10_000, exp: T0 + 24 * HOUR }), HOUR);
    expect((await providers[0]!.getToken()).value.reveal()).toBe('forged');
    expect(server.tokenRequests).toHaveLength(0);
  });

  it("forceRefresh replaces a token adopted from the store with the server's, even one expiring sooner", async () => {
    const key = await tokenKey();
    const { providers, store, server } = fleet(1);
    const provider = providers[0]!;
    await store.set(key, forged({ exp: T0 + 20 * HOUR }), HOUR);
    expect((await provider.getToken()).value.reveal()).toBe('forged');
    const fresh = await provider.getToken({ forceRefresh: true });
    expect(fresh.value.reveal()).toBe(server.issued[0]);
    expect((await provider.getToken()).value.reveal()).toBe(server.issued[0]);
    // …and the store now holds the server's token for the rest of the fleet.
    expect(JSON.parse((await store.get(key))!).t).toBe(server.issued[0]);
  });

  it('a token this process invalidated is not adopted again when it reappears in the store', async () => {
    const key = await tokenKey();
    const { providers, store, server } = fleet(1);
    const provider = providers[0]!;
    await store.set(key, forged(), HOUR);
    const adopted = await provider.getToken();
    expect(adopted.value.reveal()).toBe('forged');
    await provider.invalidate(adopted);
    expect(await store.get(key)).toBeUndefined();
    await store.set(key, forged({ exp: T0 + 2 * HOUR }), HOUR); // written back
    expect((await provider.getToken()).value.reveal()).toBe(server.issued[0]);
  });
});

describe('fleet mode: bounds on stored records (property)', () => {
  it('no served token lives longer than maxLifetimeSec or was issued beyond clockSkewMs', async () => {
    const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
    await probe.providers[0]!.getToken();
    const tokenKey = (probe.store as SpyStore).writes.find(([k]) => k.endsWith(':token'))![0];
    const time = fc.oneof(
      fc.integer({ min: T0 - 400_000_000, max: T0 + 400_000_000 }),
      fc.constantFrom('1', null, 1e308, -0),
    );
    const record = fc.record(
      {
        v: fc.constant(1),
        t: fc.string({ minLength: 1 }),
        ty: fc.constant('Bearer'),
        s: fc.constant(['read']),
        iat: time,
        exp: time,
        rin: fc.oneof(fc.integer({ min: -1000, max: 400_000_000 }), fc.constant('5')),
      },
      { requiredKeys: ['v', 't', 'ty', 's', 'iat', 'exp'] },
    );
    await fc.assert(
      fc.asyncProperty(record, async (r) => {
        const { providers, store, clock } = fleet(1, undefined, {
          refresh: { clockSkewMs: 10_000, maxLifetimeSec: 3600 },
        });
        await store.set(tokenKey, JSON.stringify(r), 1_000_000);
        const token = await providers[0]!.getToken();
        expect(token.expiresAt - token.issuedAt).toBeLessThanOrEqual(3_600_000);
        expect(token.issuedAt).toBeLessThanOrEqual(clock.now() + 10_000);
        expect(clock.now()).toBeLessThan(token.expiresAt);
        providers[0]!.close();
      }),
      { numRuns: 150 },
    );
  });
});

describe('private_key_jwt', () => {
  it('signs a client assertion the server can verify with the public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1' };
    const clock = new ManualClock(T0);
    const server = fakeServer(clock);
    const provider = createTokenProvider({
      tokenEndpoint: TOKEN_ENDPOINT,
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'private_key_jwt', privateKey: redacted(jwk) },
      fetch: server.fetch,
      clock,
    });
    await provider.getToken();
    const body = server.tokenRequests[0]!.body;
    expect(body.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const assertion = body.get('client_assertion')!;
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: 'k1' });
    const { payload } = await jwtVerify(assertion, publicKey, { issuer: 'svc', subject: 'svc' });
    expect(payload.aud).toBe(ISSUER);
  });

  it('reports a key that cannot be imported as ERR_OAUTH_CREDENTIAL_UNAVAILABLE', async () => {
    const server = fakeServer();
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: {
        method: 'private_key_jwt',
        privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----',
      },
      fetch: server.fetch,
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
    });
    expect(server.tokenRequests).toHaveLength(0);
  });
});

describe('DPoP', () => {
  it('sends a proof, retries once on use_dpop_nonce, and binds the resource call', async () => {
    const keyPair = await generateKeyPair('ES256', { extractable: true });
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    const server = fakeServer();
    server.replies.push(
      {
        kind: 'error',
        status: 400,
        body: { error: 'use_dpop_nonce' },
        headers: { 'dpop-nonce': 'n-1' },
      },
      { kind: 'token', body: { token_type: 'DPoP' } },
    );
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: keyPair,
      fetch: server.fetch,
    });
    const token = await provider.getToken();
    expect(token.type).toBe('DPoP');
    expect(server.tokenRequests).toHaveLength(2);
    const proofs = server.tokenRequests.map((r) => decodeJwt(r.headers.get('dpop')!));
    expect(proofs[0]?.nonce).toBeUndefined();
    expect(proofs[1]?.nonce).toBe('n-1');
    const header = decodeProtectedHeader(server.tokenRequests[1]!.headers.get('dpop')!);
    expect(header.typ).toBe('dpop+jwt');
    expect(await calculateJwkThumbprint(header.jwk!)).toBe(jkt);

    const response = await provider.fetch(`${API}/orders`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(200);
    const seen = server.resourceRequests[0]!;
    expect(seen.headers.get('authorization')).toBe(`DPoP ${server.issued[0]}`);
    const proof = decodeJwt(seen.headers.get('dpop')!);
    expect(proof).toMatchObject({ htm: 'POST', htu: `${API}/orders` });
    expect(typeof proof.ath).toBe('string');
    expect(seen.body).toBe('x');
  });

  it('refuses a Bearer token when DPoP was asked for (never sent without a proof)', async () => {
    const server = fakeServer();
    server.replies.push({ kind: 'token', body: { token_type: 'Bearer' } });
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: true,
      fetch: server.fetch,
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_RESPONSE',
      message: expect.stringContaining('not DPoP'),
    });
    await expect(provider.fetch(`${API}/orders`)).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_RESPONSE',
    });
    expect(server.resourceRequests).toHaveLength(0);
    provider.close();
  });

  it('with DPoP, a Bearer record in the fleet store is not adopted', async () => {
    const keyPair = await generateKeyPair('ES256', { extractable: true });
    const clock = new ManualClock(T0);
    const store = spyStore(new MemoryStore({ clock }));
    const server = fakeServer(clock);
    server.replies.push(
      { kind: 'token', body: { token_type: 'DPoP' } },
      { kind: 'token', body: { token_type: 'DPoP' } },
    );
    const make = () =>
      createTokenProvider({
        issuer: ISSUER,
        clientId: 'svc',
        clientAuth: { method: 'client_secret_post', secret: 's' },
        dpop: keyPair,
        fetch: server.fetch,
        clock,
        fleet: { store },
      });
    const a = make();
    expect((await a.getToken()).type).toBe('DPoP');
    const [key, raw] = store.writes.find(([k]) => k.endsWith(':token'))!;
    await store.set(key, JSON.stringify({ ...JSON.parse(raw), ty: 'Bearer' }), 60_000);
    const b = make();
    const token = await b.getToken();
    expect(token.type).toBe('DPoP');
    expect(server.tokenRequests).toHaveLength(2);
    for (const p of [a, b]) p.close();
  });

  it("an abort of the caller's signal rejects at once with its reason and cancels the request", async () => {
    const server = fakeServer();
    server.replies.push({ kind: 'token', body: { token_type: 'DPoP' } });
    const apiSignals: AbortSignal[] = [];
    // An API that never answers: only an abort ends the request.
    const slowApi = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (!String(input).startsWith(API)) return server.fetch(input, init);
      const signal = init?.signal as AbortSignal;
      apiSignals.push(signal);
      return new Promise<Response>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }) as typeof fetch;
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: true,
      fetch: slowApi,
    });
    await provider.getToken();
    const controller = new AbortController();
    let outcome: unknown = 'pending';
    const call = provider.fetch(`${API}/orders`, { signal: controller.signal }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    call.then((o) => {
      outcome = o;
    });
    // The proof is signed by Web Crypto on libuv's thread pool, which can take a while on a busy
    // machine: wait in real time (bounded at 5 s) for the request, not a fixed number of ticks.
    for (let i = 0; i < 500 && apiSignals.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(apiSignals).toHaveLength(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await settle(5);
    expect(outcome).toBe(reason);
    // The request itself was cancelled, not left running until openid-client's timeout.
    expect(apiSignals[0]?.aborted).toBe(true);
    // An already-aborted signal: no request at all.
    await expect(provider.fetch(`${API}/orders`, { signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(apiSignals).toHaveLength(1);
    provider.close();
  });

  it("answers a resource server's use_dpop_nonce challenge with one retry, without a new token", async () => {
    const server = fakeServer();
    server.replies.push({ kind: 'token', body: { token_type: 'DPoP' } });
    server.resourceStatuses = [
      {
        status: 401,
        headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-1' },
      },
    ];
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: true,
      fetch: server.fetch,
    });
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(200);
    expect(server.resourceRequests).toHaveLength(2);
    expect(decodeJwt(server.resourceRequests[1]!.headers.get('dpop')!).nonce).toBe('rs-1');
    expect(server.tokenRequests).toHaveLength(1);
  });
});
