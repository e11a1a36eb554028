import { isPortcullisError, type Store } from '@portcullis/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/**
 * One store under test, fresh and empty for each test. `store` and every store from `peers` share
 * one data set: for Redis, separate connections with the same key prefix; for the memory store,
 * the same instance (a process has one).
 */
export interface StoreUnderTest {
  store: Store;
  /** `n` more handles on the same data, each with its own connection where that means anything. */
  peers(n: number): Promise<Store[]>;
  /** Lets at least `ms` milliseconds of store time pass (a ManualClock advance, or a real wait). */
  advance(ms: number): Promise<void>;
  /** A TTL short enough to wait out with `advance` in a test, in milliseconds. */
  shortTtlMs: number;
  /** Whether store time is exact (a ManualClock), so TTLs can be checked to the millisecond. */
  exactTime: boolean;
  close(): Promise<void>;
}

const LONG = 60_000;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to reject');
}

async function expectMisuse(promise: Promise<unknown>): Promise<void> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(TypeError);
  expect((error as { code?: string }).code).toMatch(/^ERR_INVALID_ARG_(TYPE|VALUE)$/);
}

async function expectCorrupt(promise: Promise<unknown>): Promise<void> {
  const error = await rejection(promise);
  expect(isPortcullisError(error, 'ERR_STORE_CORRUPT')).toBe(true);
  expect((error as Error).name).toBe('StoreError');
}

/**
 * The behaviour every `Store` implementation must show (see core's `Store` interface; the memory
 * store is the reference). Runs the same tests against whatever `open` returns.
 */
export function describeStoreConformance(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store conformance: ${name}`, () => {
    let t: StoreUnderTest;
    let store: Store;
    beforeEach(async () => {
      t = await open();
      store = t.store;
    });
    afterEach(async () => {
      await t.close();
    });

    describe('get and set', () => {
      it('returns undefined for a key never set', async () => {
        expect(await store.get('missing')).toBeUndefined();
      });

      it('returns what was set, including the empty string', async () => {
        await store.set('k', 'v1', LONG);
        await store.set('empty', '', LONG);
        expect(await store.get('k')).toBe('v1');
        expect(await store.get('empty')).toBe('');
      });

      it('expires an entry after its TTL, and not one with a longer TTL', async () => {
        await store.set('short', 'x', t.shortTtlMs);
        await store.set('long', 'y', LONG);
        if (t.exactTime) {
          await t.advance(t.shortTtlMs - 1);
          expect(await store.get('short')).toBe('x');
          await t.advance(1);
        } else {
          await t.advance(t.shortTtlMs);
        }
        expect(await store.get('short')).toBeUndefined();
        expect(await store.get('long')).toBe('y');
      });

      it('set replaces the value and a longer TTL', async () => {
        await store.set('k', 'old', LONG);
        await store.set('k', 'new', t.shortTtlMs);
        expect(await store.get('k')).toBe('new');
        await t.advance(t.shortTtlMs);
        expect(await store.get('k')).toBeUndefined();
      });

      it('set replaces a shorter TTL', async () => {
        await store.set('k', 'old', t.shortTtlMs);
        await store.set('k', 'new', LONG);
        await t.advance(t.shortTtlMs);
        expect(await store.get('k')).toBe('new');
      });

      it('keeps keys with unusual characters apart and intact', async () => {
        const keys = [
          '',
          ' ',
          'a:b:c',
          'a:b',
          'A:B',
          'ключ',
          '鍵',
          '🔑🗝️',
          'new\nline\r\n',
          'nul\u0000byte',
          'glob*?[x]{y}',
          '"quoted" \'single\' `back`',
          'x'.repeat(1024),
          'e\u0301',
          'é',
        ];
        await Promise.all(keys.map((key, i) => store.set(key, `value-${i}`, LONG)));
        for (const [i, key] of keys.entries()) {
          expect(await store.get(key)).toBe(`value-${i}`);
        }
      });

      it('stores values with unusual characters and large values intact', async () => {
        const values = [
          'ünïcödé ✓ 🔐',
          'line1\nline2\r\n\ttab',
          'nul\u0000inside',
          '{"json":true,"n":[1,2,3]}',
          ' leading and trailing ',
          '\u{10FFFF}',
        ];
        for (const [i, value] of values.entries()) await store.set(`v${i}`, value, LONG);
        for (const [i, value] of values.entries()) expect(await store.get(`v${i}`)).toBe(value);

        const large = 'abcdefghij✓'.repeat(100_000); // ~1.2 MB in UTF-8
        await store.set('large', large, LONG);
        expect(await store.get('large')).toBe(large);
      });
    });

    describe('setIfAbsent', () => {
      it('sets an absent key once, and leaves the first value in place', async () => {
        expect(await store.setIfAbsent('nonce', 'first', LONG)).toBe(true);
        expect(await store.setIfAbsent('nonce', 'second', LONG)).toBe(false);
        expect(await store.get('nonce')).toBe('first');
      });

      it('a refused setIfAbsent does not extend the TTL', async () => {
        expect(await store.setIfAbsent('k', 'first', t.shortTtlMs)).toBe(true);
        expect(await store.setIfAbsent('k', 'second', LONG)).toBe(false);
        await t.advance(t.shortTtlMs);
        expect(await store.get('k')).toBeUndefined();
      });

      it('sets a key again once it expired', async () => {
        expect(await store.setIfAbsent('k', 'first', t.shortTtlMs)).toBe(true);
        await t.advance(t.shortTtlMs);
        expect(await store.setIfAbsent('k', 'second', LONG)).toBe(true);
        expect(await store.get('k')).toBe('second');
      });

      it('sets a key again once it was deleted', async () => {
        await store.set('k', 'first', LONG);
        await store.delete('k');
        expect(await store.setIfAbsent('k', 'second', LONG)).toBe(true);
        expect(await store.get('k')).toBe('second');
      });

      it('sets a TTL on what it sets', async () => {
        expect(await store.setIfAbsent('k', 'v', t.shortTtlMs)).toBe(true);
        await t.advance(t.shortTtlMs);
        expect(await store.get('k')).toBeUndefined();
      });
    });

    describe('increment', () => {
      it('creates an absent counter at `by` (default 1) with the TTL', async () => {
        const first = await store.increment('c', 5000);
        expect(first.value).toBe(1);
        expect(first.ttlMs).toBeGreaterThan(0);
        expect(first.ttlMs).toBeLessThanOrEqual(5000);
        if (t.exactTime) expect(first.ttlMs).toBe(5000);
        expect((await store.increment('c', 5000)).value).toBe(2);
        expect((await store.increment('c', 5000)).value).toBe(3);
        expect((await store.increment('by7', 5000, 7)).value).toBe(7);
      });

      it('reads back as a decimal string, and counts on from one', async () => {
        await store.increment('c', LONG, 41);
        expect(await store.get('c')).toBe('41');
        await store.set('d', '99', LONG);
        expect((await store.increment('d', LONG)).value).toBe(100);
        expect(await store.get('d')).toBe('100');
      });

      it('takes a negative or zero `by`', async () => {
        expect((await store.increment('n', LONG, -5)).value).toBe(-5);
        expect((await store.increment('n', LONG, 3)).value).toBe(-2);
        expect((await store.increment('n', LONG, 0)).value).toBe(-2);
        expect((await store.increment('z', LONG, 0)).value).toBe(0);
        expect(await store.get('z')).toBe('0');
      });

      it('counts exactly near the largest safe integer', async () => {
        await store.set('big', String(2 ** 52), LONG);
        expect((await store.increment('big', LONG, 2 ** 52 - 1)).value).toBe(
          Number.MAX_SAFE_INTEGER,
        );
        expect((await store.increment('big', LONG, -(2 ** 53 - 2))).value).toBe(1);
      });

      it('sets the TTL only on creation: later increments do not extend it', async () => {
        const ttl = t.shortTtlMs * 2;
        const created = await store.increment('w', ttl);
        await t.advance(t.shortTtlMs);
        const later = await store.increment('w', LONG);
        expect(later.value).toBe(2);
        expect(later.ttlMs).toBeGreaterThan(0);
        expect(later.ttlMs).toBeLessThanOrEqual(created.ttlMs - t.shortTtlMs);
        if (t.exactTime) expect(later.ttlMs).toBe(ttl - t.shortTtlMs);
        await t.advance(t.shortTtlMs);
        expect(await store.get('w')).toBeUndefined();
      });

      it('starts a new window at `by` once the counter expired', async () => {
        await store.increment('w', t.shortTtlMs, 10);
        await t.advance(t.shortTtlMs);
        const fresh = await store.increment('w', 5000, 3);
        expect(fresh.value).toBe(3);
        if (t.exactTime) expect(fresh.ttlMs).toBe(5000);
        else expect(fresh.ttlMs).toBeGreaterThan(t.shortTtlMs);
      });

      it('refuses a value that is not an integer with ERR_STORE_CORRUPT and leaves it alone', async () => {
        await store.set('text', 'abc', LONG);
        await store.set('fraction', '1.5', LONG);
        await store.set('json', '{"n":1}', LONG);
        await expectCorrupt(store.increment('text', LONG));
        await expectCorrupt(store.increment('fraction', LONG));
        await expectCorrupt(store.increment('json', LONG, 2));
        expect(await store.get('text')).toBe('abc');
        expect(await store.get('fraction')).toBe('1.5');
      });
    });

    describe('delete', () => {
      it('returns whether the key was present', async () => {
        expect(await store.delete('k')).toBe(false);
        await store.set('k', 'v', LONG);
        expect(await store.delete('k')).toBe(true);
        expect(await store.get('k')).toBeUndefined();
        expect(await store.delete('k')).toBe(false);
      });

      it('returns false for an expired key', async () => {
        await store.set('k', 'v', t.shortTtlMs);
        await t.advance(t.shortTtlMs);
        expect(await store.delete('k')).toBe(false);
      });

      it('deletes a counter', async () => {
        await store.increment('c', LONG, 5);
        expect(await store.delete('c')).toBe(true);
        expect((await store.increment('c', LONG)).value).toBe(1);
      });
    });

    describe('compareAndDelete', () => {
      it('deletes only when the value matches', async () => {
        await store.set('lock', 'owner-a', LONG);
        expect(await store.compareAndDelete('lock', 'owner-b')).toBe(false);
        expect(await store.compareAndDelete('lock', 'owner-')).toBe(false);
        expect(await store.compareAndDelete('lock', 'owner-a ')).toBe(false);
        expect(await store.get('lock')).toBe('owner-a');
        expect(await store.compareAndDelete('lock', 'owner-a')).toBe(true);
        expect(await store.get('lock')).toBeUndefined();
        expect(await store.compareAndDelete('lock', 'owner-a')).toBe(false);
      });

      it('returns false for an absent or expired key', async () => {
        expect(await store.compareAndDelete('none', 'x')).toBe(false);
        await store.set('k', 'x', t.shortTtlMs);
        await t.advance(t.shortTtlMs);
        expect(await store.compareAndDelete('k', 'x')).toBe(false);
      });

      it('compares unicode and empty values exactly', async () => {
        await store.set('u', 'é', LONG);
        expect(await store.compareAndDelete('u', 'e\u0301')).toBe(false);
        expect(await store.compareAndDelete('u', 'é')).toBe(true);
        await store.set('e', '', LONG);
        expect(await store.compareAndDelete('e', ' ')).toBe(false);
        expect(await store.compareAndDelete('e', '')).toBe(true);
      });
    });

    describe('misuse', () => {
      const badTtls: unknown[] = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '1000', null];

      it('rejects a TTL that is not a positive number with a TypeError code, storing nothing', async () => {
        for (const ttl of badTtls) {
          await expectMisuse(store.set('k', 'v', ttl as number));
          await expectMisuse(store.setIfAbsent('k', 'v', ttl as number));
          await expectMisuse(store.increment('k', ttl as number));
        }
        expect(await store.get('k')).toBeUndefined();
      });

      it('rejects a `by` that is not a safe integer', async () => {
        for (const by of [1.5, Number.NaN, 2 ** 53, Number.POSITIVE_INFINITY, '1']) {
          await expectMisuse(store.increment('k', LONG, by as number));
        }
        expect(await store.get('k')).toBeUndefined();
      });
    });

    describe('concurrency across connections', () => {
      it('concurrent increments from several connections sum exactly, each value seen once', async () => {
        const peers = await t.peers(4);
        const perPeer = 60;
        const results = await Promise.all(
          peers.flatMap((peer) =>
            Array.from({ length: perPeer }, () => peer.increment('hits', LONG)),
          ),
        );
        const total = peers.length * perPeer;
        const values = results.map((r) => r.value).sort((a, b) => a - b);
        expect(values).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        expect(await store.get('hits')).toBe(String(total));
      });

      it('concurrent increments of mixed sign sum exactly', async () => {
        const peers = await t.peers(3);
        await Promise.all(
          peers.flatMap((peer, p) =>
            Array.from({ length: 40 }, (_, i) => peer.increment('mixed', LONG, i % 2 ? 3 : -p)),
          ),
        );
        // Each peer adds 20×3 and 20×(−p): 180 − 20×(0+1+2) = 120.
        expect(await store.get('mixed')).toBe('120');
      });

      it('a setIfAbsent race from several connections has exactly one winner', async () => {
        const peers = await t.peers(5);
        for (let round = 0; round < 10; round++) {
          const key = `race-${round}`;
          const attempts = peers.flatMap((peer, p) =>
            [0, 1, 2].map((i) => ({
              value: `${p}-${i}`,
              won: peer.setIfAbsent(key, `${p}-${i}`, LONG),
            })),
          );
          const outcomes = await Promise.all(attempts.map((a) => a.won));
          const winners = attempts.filter((_, i) => outcomes[i]);
          expect(winners).toHaveLength(1);
          expect(await store.get(key)).toBe(winners[0]?.value);
        }
      });

      it('a lock is released only by its owner', async () => {
        const [a, b] = (await t.peers(2)) as [Store, Store];
        expect(await a.setIfAbsent('lock', 'token-a', LONG)).toBe(true);
        expect(await b.setIfAbsent('lock', 'token-b', LONG)).toBe(false);
        expect(await b.compareAndDelete('lock', 'token-b')).toBe(false);
        expect(await b.get('lock')).toBe('token-a');
        expect(await a.compareAndDelete('lock', 'token-a')).toBe(true);
        expect(await b.setIfAbsent('lock', 'token-b', LONG)).toBe(true);
        expect(await a.compareAndDelete('lock', 'token-a')).toBe(false);
        expect(await a.get('lock')).toBe('token-b');
      });

      it('an expired lock taken by another is not released by the first owner', async () => {
        const [a, b] = (await t.peers(2)) as [Store, Store];
        expect(await a.setIfAbsent('lock', 'token-a', t.shortTtlMs)).toBe(true);
        await t.advance(t.shortTtlMs);
        expect(await b.setIfAbsent('lock', 'token-b', LONG)).toBe(true);
        expect(await a.compareAndDelete('lock', 'token-a')).toBe(false);
        expect(await a.get('lock')).toBe('token-b');
      });

      it('concurrent releases by the owner succeed exactly once', async () => {
        const peers = await t.peers(4);
        await store.set('lock', 'owner', LONG);
        const released = await Promise.all(
          peers.flatMap((peer) => [peer.compareAndDelete('lock', 'owner'), peer.delete('other')]),
        );
        expect(released.filter((r, i) => i % 2 === 0 && r)).toHaveLength(1);
        expect(await store.get('lock')).toBeUndefined();
      });
    });
  });
}
