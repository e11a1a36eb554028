// Data subjects' keys (crypto-shredding): one random key per subject, stored wrapped by the KEK
// in the SubjectKeyStore, unwrapped into the key cache. A tombstone means shredded.
import { randomBytes } from 'node:crypto';
import { EnvelopeError } from '../errors/EnvelopeError.ts';
import type { ResolvedEnvelopeOptions } from '../options.ts';
import type { SubjectKeyStore } from '../subjects/SubjectKeyStore.ts';
import { callKek, isUnavailable } from './bounded.ts';
import type { KeyCache } from './keyCache.ts';
import { type KeyMaterial, material } from './material.ts';

interface LiveRecord {
  v: 1;
  id: string;
  keyId: string;
  wrapped: string;
}
export const TOMBSTONE: string = JSON.stringify({ v: 1, shredded: true });

export interface SubjectKey extends KeyMaterial {
  id: string;
  at: number;
}

function shredded(): EnvelopeError {
  return new EnvelopeError(
    'ERR_ENVELOPE_SHREDDED',
    "The data subject's key was deleted (crypto-shredded): this data can no longer be read or written.",
  );
}

function parse(record: string): LiveRecord | 'shredded' {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch {
    value = undefined;
  }
  const r = value as Partial<LiveRecord & { shredded: boolean }> | undefined;
  if (r?.v === 1 && r.shredded === true) return 'shredded';
  if (
    r?.v === 1 &&
    typeof r.id === 'string' &&
    typeof r.keyId === 'string' &&
    typeof r.wrapped === 'string'
  )
    return r as LiveRecord;
  throw new EnvelopeError(
    'ERR_ENVELOPE_MALFORMED',
    "The stored record of a data subject's key is malformed.",
  );
}

export class SubjectKeys {
  readonly #options: ResolvedEnvelopeOptions;
  readonly #store: SubjectKeyStore;
  readonly #cache: KeyCache;
  readonly #pending = new Map<string, Promise<SubjectKey>>();
  /** Loads in flight, by subject: a shred marks them so what they unwrap is neither kept nor used. */
  readonly #loading = new Map<string, Set<{ shredded: boolean }>>();

  constructor(options: ResolvedEnvelopeOptions, store: SubjectKeyStore, cache: KeyCache) {
    this.#options = options;
    this.#store = store;
    this.#cache = cache;
  }

  /** The subject's key; with `create`, made (and stored) when the subject has none yet. */
  async get(subject: string, create: boolean): Promise<SubjectKey> {
    const now = this.#options.clock.now();
    const cached = this.#cache.get(`s\0${subject}`, now) as SubjectKey | undefined;
    if (cached !== undefined && now - cached.at < this.#options.cacheMaxAgeMs) return cached;
    const flight = `${create ? 'c' : 'r'}\0${subject}`;
    let pending = this.#pending.get(flight);
    if (pending === undefined) {
      pending = this.#load(subject, create).finally(() => this.#pending.delete(flight));
      this.#pending.set(flight, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (isUnavailable(error) && cached !== undefined) return cached;
      throw error;
    }
  }

  async #load(subject: string, create: boolean): Promise<SubjectKey> {
    const token = { shredded: false };
    let loading = this.#loading.get(subject);
    if (loading === undefined) {
      loading = new Set();
      this.#loading.set(subject, loading);
    }
    loading.add(token);
    try {
      const { id, raw } = await this.#read(subject, create);
      if (token.shredded) throw shredded();
      return this.#remember(subject, id, raw);
    } finally {
      loading.delete(token);
      if (loading.size === 0 && this.#loading.get(subject) === loading)
        this.#loading.delete(subject);
    }
  }

  #markShredded(subject: string): void {
    for (const token of this.#loading.get(subject) ?? []) token.shredded = true;
    this.#cache.evictSubject(subject);
  }

  /** The subject's key id and raw key from the store (made and stored first with `create`). */
  async #read(subject: string, create: boolean): Promise<{ id: string; raw: Uint8Array }> {
    const record = await callKek(this.#options, 'subject-key read', () => this.#store.get(subject));
    if (record === undefined) {
      if (!create)
        throw new EnvelopeError(
          'ERR_ENVELOPE_WRONG_KEY',
          'No key is stored for this data subject.',
        );
      return this.#create(subject);
    }
    const parsed = parse(record);
    if (parsed === 'shredded') {
      this.#cache.evictSubject(subject);
      throw shredded();
    }
    const wrapped = Buffer.from(parsed.wrapped, 'base64');
    const raw = await callKek(this.#options, 'unwrap', (signal) =>
      this.#options.kek.unwrap(parsed.keyId, wrapped, { subject }, { signal }),
    );
    return { id: parsed.id, raw };
  }

  async #create(subject: string): Promise<{ id: string; raw: Uint8Array }> {
    const raw = new Uint8Array(randomBytes(32));
    const { keyId, wrapped } = await callKek(this.#options, 'wrap', (signal) =>
      this.#options.kek.wrap(raw, { subject }, { signal }),
    );
    const id = `subject:${randomBytes(12).toString('base64url')}`;
    const record: LiveRecord = {
      v: 1,
      id,
      keyId,
      wrapped: Buffer.from(wrapped).toString('base64'),
    };
    const stored = await callKek(this.#options, 'subject-key write', () =>
      this.#store.create(subject, JSON.stringify(record)),
    );
    if (!stored) return this.#read(subject, false); // another writer won: use its key
    return { id, raw };
  }

  #remember(subject: string, id: string, raw: Uint8Array): SubjectKey {
    const m = material(raw);
    const entry = { ...m, id, at: this.#options.clock.now(), subject };
    this.#cache.set(`s\0${subject}`, entry);
    return entry;
  }

  /** Rewraps the stored key of `subject` with the newest KEK (same key, same id). */
  async rewrap(subject: string): Promise<void> {
    const key = await this.get(subject, false);
    const { keyId, wrapped } = await callKek(this.#options, 'wrap', (signal) =>
      this.#options.kek.wrap(key.raw, { subject }, { signal }),
    );
    const record: LiveRecord = {
      v: 1,
      id: key.id,
      keyId,
      wrapped: Buffer.from(wrapped).toString('base64'),
    };
    await callKek(this.#options, 'subject-key write', () =>
      this.#store.replace(subject, JSON.stringify(record)),
    );
  }

  async shred(subject: string): Promise<void> {
    this.#markShredded(subject);
    await callKek(this.#options, 'subject-key shred', () => this.#store.shred(subject, TOMBSTONE));
    // Loads that read the record before the tombstone landed must not keep (or hand out) the key.
    this.#markShredded(subject);
  }
}
