import { isPortcullisError, ManualClock, MemoryStore } from '@portcullis/core';
import { describe, expect, it } from 'vitest';

// The full Store contract runs against MemoryStore and RedisStore in test/store/ (one conformance
// suite); this file covers what is MemoryStore's own: bounds, eviction and option checks.
describe('MemoryStore bounds', () => {
  it('evicts the least recently written live entry when full, and reports it', async () => {
    const evicted: string[] = [];
    const store = new MemoryStore({ maxEntries: 2, onEvict: (key) => evicted.push(key) });
    await store.set('a', '1', 60_000);
    await store.set('b', '2', 60_000);
    await store.set('a', '1b', 60_000); // rewrite: 'a' is now the most recent
    await store.set('c', '3', 60_000);
    expect(evicted).toEqual(['b']);
    expect(await store.get('a')).toBe('1b');
    expect(await store.get('b')).toBeUndefined();
    expect(store.size).toBe(2);
  });

  it('drops expired entries before evicting anything live', async () => {
    const clock = new ManualClock();
    const evicted: string[] = [];
    const store = new MemoryStore({ maxEntries: 2, clock, onEvict: (key) => evicted.push(key) });
    await store.set('short', '1', 10);
    await store.set('long', '2', 60_000);
    clock.advance(11);
    await store.set('new', '3', 60_000);
    expect(evicted).toEqual([]);
    expect(await store.get('long')).toBe('2');
    expect(await store.get('new')).toBe('3');
  });

  it('sweeps entries that expired after the last sweep, even shorter-lived than those before', async () => {
    const clock = new ManualClock();
    const evicted: string[] = [];
    const store = new MemoryStore({ maxEntries: 3, clock, onEvict: (key) => evicted.push(key) });
    await store.set('A', '1', 60_000);
    await store.set('B', '1', 60_000);
    await store.set('C', '1', 60_000);
    await store.set('D', '1', 60_000); // full: sweeps (nothing expired), evicts A
    await store.delete('B');
    await store.set('short', '1', 10); // expires long before the others
    clock.advance(11);
    await store.set('E', '1', 60_000); // must sweep 'short' rather than evict a live entry
    expect(evicted).toEqual(['A']);
    expect(await store.get('C')).toBe('1');

    const reject = new MemoryStore({ maxEntries: 2, whenFull: 'reject', clock });
    await reject.set('long', '1', 60_000);
    await reject.set('brief', '1', 5);
    clock.advance(6);
    await expect(reject.setIfAbsent('next', '1', 60_000)).resolves.toBe(true);
  });

  it("refuses new keys when full with whenFull: 'reject', and keeps what it holds", async () => {
    const store = new MemoryStore({ maxEntries: 1, whenFull: 'reject' });
    expect(await store.setIfAbsent('nonce:1', '1', 60_000)).toBe(true);
    const error = await store.setIfAbsent('nonce:2', '1', 60_000).catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_FULL')).toBe(true);
    expect(await store.get('nonce:1')).toBe('1');
    expect(await store.get('nonce:2')).toBeUndefined();
    // Rewriting a key it already holds needs no room.
    await store.set('nonce:1', '2', 60_000);
    expect(await store.get('nonce:1')).toBe('2');
  });

  it('stays bounded under many distinct keys', async () => {
    const store = new MemoryStore({ maxEntries: 100 });
    for (let i = 0; i < 10_000; i++) await store.set(`k${i}`, 'v', 60_000);
    expect(store.size).toBe(100);
    expect(await store.get('k9999')).toBe('v');
    expect(await store.get('k0')).toBeUndefined();
  });

  it('refuses bad options as misuse (TypeError with a code)', () => {
    for (const options of [{ maxEntries: 0 }, { maxEntries: 1.5 }, { whenFull: 'drop' }]) {
      expect(() => new MemoryStore(options as never)).toThrow(
        expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' }),
      );
    }
  });

  it('keeps a busy counter over quieter entries when it must evict', async () => {
    const evicted: string[] = [];
    const store = new MemoryStore({ maxEntries: 2, onEvict: (key) => evicted.push(key) });
    await store.increment('hot', 60_000);
    await store.set('quiet', 'x', 60_000);
    await store.increment('hot', 60_000);
    await store.set('new', 'y', 60_000);
    expect(evicted).toEqual(['quiet']);
    expect((await store.increment('hot', 60_000)).value).toBe(3);
  });

  it('counts only plain decimal integers, and never past 2^53 - 1 (as Redis INCRBY)', async () => {
    const store = new MemoryStore();
    for (const loose of ['', ' 7 ', '0x10', '1e3', '0b11', '1.5', 'NaN']) {
      await store.set('c', loose, 60_000);
      const error = await store.increment('c', 60_000).catch((e: unknown) => e);
      expect(isPortcullisError(error, 'ERR_STORE_CORRUPT'), loose).toBe(true);
      expect(await store.get('c')).toBe(loose);
    }
    await store.set('c', String(Number.MAX_SAFE_INTEGER), 60_000);
    const overflow = await store.increment('c', 60_000).catch((e: unknown) => e);
    expect(isPortcullisError(overflow, 'ERR_STORE_CORRUPT')).toBe(true);
    expect(await store.get('c')).toBe(String(Number.MAX_SAFE_INTEGER));
  });

  it('refuses keys, values and TTLs of the wrong type as misuse', async () => {
    const store = new MemoryStore();
    const typeError = expect.objectContaining({ name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
    await expect(store.set(1 as never, 'v', 1_000)).rejects.toThrow(typeError);
    await expect(store.set('k', {} as never, 1_000)).rejects.toThrow(typeError);
    await expect(store.set('k', 'v', '1000' as never)).rejects.toThrow(typeError);
    await expect(store.compareAndDelete('k', 1 as never)).rejects.toThrow(typeError);
  });

  it('clear() drops everything', async () => {
    const store = new MemoryStore();
    await store.set('a', '1', 1_000);
    store.clear();
    expect(store.size).toBe(0);
  });
});
