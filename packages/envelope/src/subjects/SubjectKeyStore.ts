/**
 * Where the keys of data subjects live, each wrapped by the KEK (so the store holds no usable key
 * material: a copy of it, without the KEK, opens nothing). Records are opaque strings the envelope
 * writes. Back it with a table in your database (one row per subject) or use
 * {@link MemorySubjectKeyStore} in tests and single-process tools.
 *
 * `shred` must replace the record with a tombstone the envelope recognises (it passes the value
 * to write), so a later seal for the subject is refused rather than silently getting a new key.
 */
export interface SubjectKeyStore {
  /** The record of `subject`, or `undefined` when none was ever stored. */
  get(subject: string): Promise<string | undefined>;
  /** Stores `record` for `subject` if it has none; returns whether it stored it. */
  create(subject: string, record: string): Promise<boolean>;
  /** Replaces the record of `subject` (rotation: the same key, rewrapped by a newer KEK). */
  replace(subject: string, record: string): Promise<void>;
  /** Replaces the record of `subject` with `tombstone`: the key is gone for good. */
  shred(subject: string, tombstone: string): Promise<void>;
}

/**
 * A {@link SubjectKeyStore} in process memory: for tests, demos and single-process tools. A
 * restart loses every key (and so every subject-keyed envelope): use a durable store in production.
 *
 * @example
 * ```ts
 * import { createEnvelope, KeyringKek, MemorySubjectKeyStore } from '@portcullis/envelope';
 * import { randomBytes } from 'node:crypto';
 * const envelope = createEnvelope({
 *   kek: new KeyringKek({ keys: [{ id: 'kek-1', key: randomBytes(32) }] }),
 *   subjects: new MemorySubjectKeyStore(),
 * });
 * await envelope.shred('customer-42');
 * ```
 */
export class MemorySubjectKeyStore implements SubjectKeyStore {
  readonly #records = new Map<string, string>();

  async get(subject: string): Promise<string | undefined> {
    return this.#records.get(subject);
  }

  async create(subject: string, record: string): Promise<boolean> {
    if (this.#records.has(subject)) return false;
    this.#records.set(subject, record);
    return true;
  }

  async replace(subject: string, record: string): Promise<void> {
    this.#records.set(subject, record);
  }

  async shred(subject: string, tombstone: string): Promise<void> {
    this.#records.set(subject, tombstone);
  }

  /** How many subjects have a record (live or shredded). */
  get size(): number {
    return this.#records.size;
  }
}
