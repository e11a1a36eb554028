// Redis Cluster: an entry's token record and refresh lock share one hash tag, so they map to one
// slot (one primary) whatever the prefix. Pins the key layout the cluster guide documents.
import { MemoryStore } from '@portcullis/core';
import { expect, it } from 'vitest';
import { fleet, type SpyStore, spyStore } from './helpers.ts';

/** The part of a key Redis Cluster hashes: the first `{…}` with something in it, else the key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open === -1) return key;
  const close = key.indexOf('}', open + 1);
  return close === -1 || close === open + 1 ? key : key.slice(open + 1, close);
}

it('writes the token record and the refresh lock under one hash tag (one cluster slot)', async () => {
  const probe = fleet(1, (clock) => spyStore(new MemoryStore({ clock })));
  await probe.providers[0]!.getToken();
  const keys = (probe.store as SpyStore).writes.map(([k]) => k);
  const token = keys.find((k) => k.endsWith(':token'))!;
  const lock = keys.find((k) => k.endsWith(':lock'))!;
  expect(token).toMatch(/^portcullis:oauth:\{[A-Za-z0-9_-]{43}\}:token$/);
  expect(lock).toMatch(/^portcullis:oauth:\{[A-Za-z0-9_-]{43}\}:lock$/);
  expect(hashTag(token)).toBe(hashTag(lock));
  expect(hashTag(token)).toHaveLength(43); // the digest, not the whole key
});
