// A bounded map of unwrapped keys: the least recently used go first past `maxEntries`; an entry older
// than `graceMs` is gone. Entries younger than `maxAgeMs` are fresh; between the two they may be
// used only while the KMS is failing (the caller decides). Keys live in memory only, as KeyObjects.
import type { KeyMaterial } from './material.ts';

export interface CachedKey extends KeyMaterial {
  /** When it was unwrapped or generated (milliseconds, on the envelope's clock). */
  at: number;
  /** For a subject key: the id stored in envelopes it wraps data keys for. */
  id?: string;
  /** The subject whose key this is or derives from (evicted together on shred). */
  subject: string | undefined;
}

export class KeyCache {
  readonly #entries = new Map<string, CachedKey>();
  readonly #maxEntries: number;
  readonly #graceMs: number;

  constructor(maxEntries: number, graceMs: number) {
    this.#maxEntries = maxEntries;
    this.#graceMs = graceMs;
  }

  /** The entry (fresh or not) if it is within the grace; refreshes its LRU place. */
  get(id: string, now: number): CachedKey | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (now - entry.at >= this.#graceMs) {
      this.#entries.delete(id);
      return undefined;
    }
    // Most recently used last: eviction takes the first.
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry;
  }

  set(id: string, entry: CachedKey): void {
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** Drops every entry of `subject`. */
  evictSubject(subject: string): void {
    for (const [id, entry] of this.#entries)
      if (entry.subject === subject) this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}
