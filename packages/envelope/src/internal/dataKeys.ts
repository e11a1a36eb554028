// Data keys: the encrypt side reuses one per partition (subject + key context) within
// `dataKeyMaxUses` / `dataKeyMaxAgeMs` (single flight: concurrent seals share one KMS call); the
// decrypt side caches unwrapped keys by (KEK id, wrapped bytes, key context). Both ride a KMS
// outage on what they hold until `outageGraceMs`, then fail with ERR_ENVELOPE_KEK_UNAVAILABLE.
import { randomBytes } from 'node:crypto';
import { aes256Gcm } from '../aes256Gcm.ts';
import { EnvelopeError, isEnvelopeError } from '../errors/EnvelopeError.ts';
import type { ResolvedEnvelopeOptions } from '../options.ts';
import type { EnvelopeContext } from '../types.ts';
import { callKek, isUnavailable } from './bounded.ts';
import { canonicalContext, contextBytes } from './context.ts';
import { encodeHeader, FLAG_SUBJECT } from './format.ts';
import { type CachedKey, KeyCache } from './keyCache.ts';
import { type KeyMaterial, material } from './material.ts';
import { SubjectKeys } from './subjectKeys.ts';

/** A data key in use for sealing: its material and the header fields that go with it. */
export interface SealKey extends KeyMaterial {
  /** The encoded header (magic to wrapped key), the same for every message of the window. */
  header: Uint8Array;
  flags: number;
  keyId: string;
  wrapped: Uint8Array;
  uses: number;
  at: number;
  subject: string | undefined;
}

function cacheId(keyId: string, wrapped: Uint8Array, keyContext: EnvelopeContext): string {
  return `d\0${keyId}\0${Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.length).toString('latin1')}\0${canonicalContext(keyContext)}`;
}

function sameContext(a: EnvelopeContext, b: EnvelopeContext): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}

function contextMismatch(): EnvelopeError {
  return new EnvelopeError(
    'ERR_ENVELOPE_CONTEXT_MISMATCH',
    'The data key did not unwrap under this context: the envelope was sealed for another context, or its wrapped key was altered.',
  );
}

export class DataKeys {
  readonly #o: ResolvedEnvelopeOptions;
  readonly cache: KeyCache;
  readonly subjects: SubjectKeys | undefined;
  readonly #windows = new Map<string, SealKey>();
  readonly #pending = new Map<string, Promise<SealKey>>();
  #last:
    | { keyId: string; keyContext: EnvelopeContext; wrapped: Buffer; entry: CachedKey }
    | undefined;

  constructor(options: ResolvedEnvelopeOptions) {
    this.#o = options;
    this.cache = new KeyCache(
      options.cacheMaxEntries,
      Math.max(options.outageGraceMs, options.cacheMaxAgeMs),
    );
    this.subjects =
      options.subjects === undefined
        ? undefined
        : new SubjectKeys(options, options.subjects, this.cache);
  }

  /**
   * A data key to seal one message of this partition with (its use is counted). Waiters that
   * find the shared fresh key used up ask for another, so no key exceeds `dataKeyMaxUses`.
   */
  /** The partition a message's data key comes from: its subject and key context. */
  partition(keyContext: EnvelopeContext, subject: string | undefined): string {
    const values: (string | null)[] = [subject ?? null];
    for (const key of this.#o.keyContext) values.push(keyContext[key] ?? null);
    return JSON.stringify(values);
  }

  /** The current window's key when it can take one more message (counted), without waiting. */
  current(partition: string): SealKey | undefined {
    const current = this.#windows.get(partition);
    if (
      current !== undefined &&
      current.uses < this.#o.dataKeyMaxUses &&
      this.#o.clock.now() - current.at < this.#o.dataKeyMaxAgeMs
    ) {
      current.uses++;
      return current;
    }
    return undefined;
  }

  async forSeal(
    partition: string,
    keyContext: EnvelopeContext,
    subject: string | undefined,
  ): Promise<SealKey> {
    for (let round = 0; round < 64; round++) {
      const current = this.#windows.get(partition);
      const now = this.#o.clock.now();
      if (
        current !== undefined &&
        current.uses < this.#o.dataKeyMaxUses &&
        now - current.at < this.#o.dataKeyMaxAgeMs
      ) {
        current.uses++;
        return current;
      }
      try {
        await this.#refresh(partition, keyContext, subject);
      } catch (error) {
        if (
          isUnavailable(error) &&
          current !== undefined &&
          current.uses < this.#o.dataKeyMaxUses &&
          this.#o.clock.now() - current.at < this.#o.outageGraceMs
        ) {
          current.uses++;
          return current;
        }
        throw error;
      }
    }
    throw new EnvelopeError(
      'ERR_ENVELOPE_KEK_UNAVAILABLE',
      'No data key could be had for this message (too many concurrent seals for dataKeyMaxUses).',
    );
  }

  /** Installs a fresh data key for the partition (one KEK call however many callers wait). */
  #refresh(
    partition: string,
    keyContext: EnvelopeContext,
    subject: string | undefined,
  ): Promise<unknown> {
    let pending = this.#pending.get(partition);
    if (pending === undefined) {
      pending = this.#fresh(keyContext, subject).then(
        (key) => {
          this.#pending.delete(partition);
          this.#windows.delete(partition);
          this.#windows.set(partition, key);
          while (this.#windows.size > this.#o.cacheMaxEntries)
            this.#windows.delete(this.#windows.keys().next().value as string);
          return key;
        },
        (error: unknown) => {
          this.#pending.delete(partition);
          throw error;
        },
      );
      this.#pending.set(partition, pending);
    }
    return pending;
  }

  async #fresh(keyContext: EnvelopeContext, subject: string | undefined): Promise<SealKey> {
    const at = this.#o.clock.now();
    if (subject !== undefined && this.subjects !== undefined) {
      const subjectKey = await this.subjects.get(subject, true);
      const raw = new Uint8Array(randomBytes(32));
      const iv = randomBytes(12);
      const sealed = aes256Gcm.encrypt(
        subjectKey.key,
        iv,
        raw,
        contextBytes({ ...keyContext, subject }),
      );
      const wrapped = new Uint8Array(12 + sealed.length);
      wrapped.set(iv, 0);
      wrapped.set(sealed, 12);
      return {
        ...material(raw),
        header: encodeHeader(FLAG_SUBJECT, subjectKey.id, wrapped),
        flags: FLAG_SUBJECT,
        keyId: subjectKey.id,
        wrapped,
        uses: 0,
        at,
        subject,
      };
    }
    const generated = await callKek(this.#o, 'generate', (signal) =>
      this.#o.kek.generateDataKey(keyContext, { signal }),
    );
    const m = material(generated.plaintext);
    // Our own messages open without asking the KMS.
    this.cache.set(cacheId(generated.keyId, generated.wrapped, keyContext), {
      ...m,
      at,
      subject: undefined,
    });
    return {
      ...m,
      header: encodeHeader(0, generated.keyId, generated.wrapped),
      flags: 0,
      keyId: generated.keyId,
      wrapped: generated.wrapped,
      uses: 0,
      at,
      subject,
    };
  }

  /**
   * Bulk reads open many envelopes of one data key in a row: a one-entry memo in front of the
   * map, looked up without waiting (the caller awaits `forOpen` only when it misses).
   */
  lastFor(
    flags: number,
    keyId: string,
    wrapped: Uint8Array,
    keyContext: EnvelopeContext,
  ): KeyMaterial | undefined {
    const last = this.#last;
    if (
      last !== undefined &&
      flags === 0 &&
      this.#o.clock.now() - last.entry.at < this.#o.cacheMaxAgeMs &&
      last.keyId === keyId &&
      sameContext(last.keyContext, keyContext) &&
      Buffer.from(wrapped.buffer, wrapped.byteOffset, wrapped.length).equals(last.wrapped)
    )
      return last.entry;
    return undefined;
  }

  /** The data key of an envelope, from the cache or the KEK (or the subject's key). */
  async forOpen(
    flags: number,
    keyId: string,
    wrapped: Uint8Array,
    keyContext: EnvelopeContext,
    subject: string | undefined,
  ): Promise<KeyMaterial> {
    if ((flags & FLAG_SUBJECT) !== 0) return this.#openSubject(keyId, wrapped, keyContext, subject);
    const now = this.#o.clock.now();
    const last = this.lastFor(flags, keyId, wrapped, keyContext);
    if (last !== undefined) return last;
    const id = cacheId(keyId, wrapped, keyContext);
    const cached = this.cache.get(id, now);
    if (cached !== undefined && now - cached.at < this.#o.cacheMaxAgeMs) {
      this.#last = { keyId, keyContext, wrapped: Buffer.from(wrapped), entry: cached };
      return cached;
    }
    try {
      const raw = await callKek(this.#o, 'unwrap', (signal) =>
        this.#o.kek.unwrap(keyId, wrapped, keyContext, { signal }),
      );
      const m = material(raw);
      this.cache.set(id, { ...m, at: this.#o.clock.now(), subject: undefined });
      return m;
    } catch (error) {
      if (isUnavailable(error) && cached !== undefined) return cached;
      throw error;
    }
  }

  async #openSubject(
    keyId: string,
    wrapped: Uint8Array,
    keyContext: EnvelopeContext,
    subject: string | undefined,
  ): Promise<KeyMaterial> {
    if (this.subjects === undefined)
      throw new EnvelopeError(
        'ERR_ENVELOPE_WRONG_KEY',
        'The envelope is keyed to a data subject, and this envelope has no subject key store.',
      );
    if (subject === undefined)
      throw new EnvelopeError(
        'ERR_ENVELOPE_CONTEXT_MISMATCH',
        'The envelope is keyed to a data subject, and the context names none.',
      );
    const subjectKey = await this.subjects.get(subject, false);
    if (subjectKey.id !== keyId)
      throw new EnvelopeError(
        'ERR_ENVELOPE_WRONG_KEY',
        "The envelope was sealed with another key than this data subject's.",
      );
    if (wrapped.length !== 12 + 32 + 16) throw contextMismatch();
    try {
      const raw = aes256Gcm.decrypt(
        subjectKey.key,
        wrapped.subarray(0, 12),
        wrapped.subarray(12),
        contextBytes({ ...keyContext, subject }),
      );
      return material(raw);
    } catch (error) {
      if (isEnvelopeError(error, 'ERR_ENVELOPE_TAMPERED')) throw contextMismatch();
      throw error;
    }
  }

  /** Forgets every key of `subject` held in this process (after a shred). */
  forgetSubject(subject: string): void {
    this.#last = undefined;
    this.cache.evictSubject(subject);
    for (const [partition, key] of this.#windows)
      if (key.subject === subject) this.#windows.delete(partition);
  }
}
