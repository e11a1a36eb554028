import { ManualClock, MemoryStore } from '@portcullis/core';
import { describeStoreConformance } from './conformance.ts';

describeStoreConformance('MemoryStore', async () => {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const store = new MemoryStore({ clock });
  return {
    store,
    // One process has one memory store: every "connection" is the same instance.
    peers: async (n) => Array.from({ length: n }, () => store),
    advance: async (ms) => clock.advance(ms),
    shortTtlMs: 1000,
    exactTime: true,
    close: async () => store.clear(),
  };
});
