// Redis Cluster: an entry's lock and stored result share one hash tag, so they map to one slot
// (one primary). Pins the key layout the cluster guide documents.
import { MemoryStore, type Store } from '@portcullis/core';
import { createIdempotency } from '@portcullis/idempotency';
import { expect, it } from 'vitest';

function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

it('keeps the lock and the stored result of one key under one hash tag (one cluster slot)', async () => {
  const memory = new MemoryStore();
  const written: string[] = [];
  const store: Store = {
    get: (k) => memory.get(k),
    set: (k, v, t) => {
      written.push(k);
      return memory.set(k, v, t);
    },
    setIfAbsent: (k, v, t) => {
      written.push(k);
      return memory.setIfAbsent(k, v, t);
    },
    increment: (k, t, by) => memory.increment(k, t, by),
    delete: (k) => memory.delete(k),
    compareAndDelete: (k, v) => memory.compareAndDelete(k, v),
  };
  const idem = createIdempotency({ store });
  expect(await idem.run('order-42', 'f1', async () => 'done')).toEqual({
    replayed: false,
    value: 'done',
  });
  const lock = written.find((k) => k.endsWith(':lock'))!;
  const done = written.find((k) => k.endsWith(':done'))!;
  expect(lock).toMatch(/^idem:\{[A-Za-z0-9_-]{43}\}:lock$/);
  expect(done).toMatch(/^idem:\{[A-Za-z0-9_-]{43}\}:done$/);
  expect(hashTag(lock)).toBe(hashTag(done));
  // check() reads the same keys: a completed entry is seen as completed.
  expect(await idem.check('order-42', 'f1')).toBe('completed');
});
