// Shared by the fleet-mode tests: N providers on one store and one ManualClock, a store that
// records writes, stores that are slow or never answer, and waits that move the clock.
import { ManualClock, MemoryStore, redacted, type Store } from '@portcullis/core';
import { createTokenProvider, type TokenProviderOptions } from '@portcullis/oauth';
import { expect } from 'vitest';
import { fakeServer, ISSUER, settle } from '../fakeServer.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

export function fleet(
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

export interface SpyStore extends Store {
  writes: [string, string][];
}

export function spyStore(store: Store): SpyStore {
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

export async function advance(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await settle(5);
  }
}

/** A store whose token writes take `delayMs` on the clock to land (the lock and reads are fast). */
/** Token writes land after `delayMs` (or, given a list, after each delay in turn, then 100 ms). */
export function slowWriteStore(clock: ManualClock, delayMs: number | number[]): Store {
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
export async function during<T>(clock: ManualClock, promise: Promise<T>, ms: number): Promise<T> {
  await advance(clock, ms);
  return promise;
}

export const never = <T>(): Promise<T> => new Promise<T>(() => {});

export function track<T>(promise: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
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
export async function expectSettlesAfter(
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
export async function storedToken(store: Store, spy: SpyStore): Promise<string | undefined> {
  const key = spy.writes.find(([k]) => k.endsWith(':token'))?.[0];
  return key === undefined ? undefined : store.get(key);
}
