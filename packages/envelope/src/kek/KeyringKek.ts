import { randomBytes } from 'node:crypto';
import {
  invalidArgument,
  type Redacted,
  redacted,
  refuseUnknownKeys,
  reveal,
} from '@portcullis/core';
import { aes256Gcm } from '../aes256Gcm.ts';
import { EnvelopeError, isEnvelopeError } from '../errors/EnvelopeError.ts';
import { contextBytes } from '../internal/context.ts';
import type { EnvelopeContext, GeneratedDataKey, Kek } from '../types.ts';

/** One key of a {@link KeyringKek}: an id (stored in envelopes) and 32 bytes of key. */
export interface KeyringKey {
  /** Stored beside every data key it wraps; also the JWE `kid`. Not secret. */
  id: string;
  /** 32 raw bytes, or their base64 / base64url text, boxed or not. */
  key: Uint8Array | string | Redacted<Uint8Array> | Redacted<string>;
}

/** Options of {@link KeyringKek}. */
export interface KeyringKekOptions {
  /** The keys, newest first: the first wraps new data keys, all of them unwrap. Required. */
  keys: readonly KeyringKey[];
}

/** What `KeyringKek.fromSecrets` reads keys from: a `SecretsCache` of `@portcullis/secrets`. */
export interface KeyringSecretSource {
  /** The current value of the secret `name`, as bytes (32 for an AES-256 key). */
  getBytes(name: string): Promise<Redacted<Uint8Array>>;
}

const BASE64_KEY = /^[A-Za-z0-9+/_-]{43}=?$/;

/** 32 raw bytes, or base64 text of 32 bytes (as a string, or as the UTF-8 bytes of a text secret). */
function decode(value: KeyringKey['key'], path: string): Uint8Array {
  const v = reveal(value as Uint8Array | Redacted<Uint8Array>) as unknown;
  if (v instanceof Uint8Array && v.length === 32) return new Uint8Array(v);
  let text: string;
  if (v instanceof Uint8Array) text = Buffer.from(v).toString('latin1').trim();
  else if (typeof v === 'string') text = v.trim();
  else throw invalidArgument(path, 'a Uint8Array or base64 text');
  if (!BASE64_KEY.test(text))
    throw invalidArgument(path, '32 bytes of key (raw, or base64 text)', 'value');
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/**
 * A key-encryption key held locally: a keyring of AES-256 keys, for development and for teams
 * without a KMS. Load the keys from `@portcullis/secrets` (`KeyringKek.fromSecrets`), never from
 * source code. Data keys are wrapped with AES-256-GCM bound to the key context and the key id.
 * Rotation: put the new key first; keep old ones until every envelope is rewrapped, then retire
 * them by removing them (their envelopes then fail with `ERR_ENVELOPE_WRONG_KEY`).
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { KeyringKek } from '@portcullis/envelope';
 * const kek = new KeyringKek({
 *   keys: [
 *     { id: 'kek-2026', key: randomBytes(32) }, // wraps new data keys
 *     { id: 'kek-2025', key: randomBytes(32).toString('base64') }, // still unwraps old ones
 *   ],
 * });
 * kek.currentKeyId; // 'kek-2026'
 * ```
 */
export class KeyringKek implements Kek {
  readonly kind: string = 'keyring';
  readonly #keys = new Map<string, Redacted<Uint8Array>>();
  readonly #current: string;

  constructor(options: KeyringKekOptions) {
    if (typeof options !== 'object' || options === null)
      throw invalidArgument('options', 'an object');
    refuseUnknownKeys(options, ['keys'], 'options');
    if (!Array.isArray(options.keys) || options.keys.length === 0)
      throw invalidArgument('options.keys', 'a non-empty array of { id, key }');
    options.keys.forEach((k, i) => {
      if (typeof k?.id !== 'string' || k.id.length === 0 || k.id.length > 255)
        throw invalidArgument(
          `options.keys[${i}].id`,
          'a non-empty string of at most 255 characters',
        );
      if (this.#keys.has(k.id))
        throw invalidArgument(`options.keys[${i}].id`, 'a unique id', 'value');
      this.#keys.set(k.id, redacted(decode(k.key, `options.keys[${i}].key`)));
    });
    this.#current = (options.keys[0] as KeyringKey).id;
  }

  /**
   * A keyring whose keys are secrets of `@portcullis/secrets` (names newest first, each name the
   * key id). Reads each once; build a new keyring after a rotation.
   *
   * @example
   * ```ts
   * import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
   * import { KeyringKek } from '@portcullis/envelope';
   * const cache = createSecretsCache(new MemoryProvider({ secrets: { 'kek-2026': 'q8Yc1fQm0M3l7u2hVd8Q0cJvS2m7zXyQeJ1b0n4pR6k=' } }));
   * const kek = await KeyringKek.fromSecrets(cache, ['kek-2026']);
   * ```
   */
  static async fromSecrets(
    source: KeyringSecretSource,
    names: readonly string[],
  ): Promise<KeyringKek> {
    if (!Array.isArray(names) || names.length === 0)
      throw invalidArgument('names', 'a non-empty array of secret names');
    const keys: KeyringKey[] = [];
    for (const name of names) keys.push({ id: name, key: await source.getBytes(name) });
    return new KeyringKek({ keys });
  }

  /** The id of the key that wraps new data keys. */
  get currentKeyId(): string {
    return this.#current;
  }

  /** The keys as JWE `dir` keys (`kid` = id), current first, for `encryptJwe` / `decryptJwe`. */
  directKeys(): readonly { kid: string; key: Redacted<Uint8Array> }[] {
    return [...this.#keys].map(([kid, key]) => ({ kid, key }));
  }

  async generateDataKey(keyContext: EnvelopeContext): Promise<GeneratedDataKey> {
    const plaintext = new Uint8Array(randomBytes(32));
    const { keyId, wrapped } = await this.wrap(plaintext, keyContext);
    return { keyId, plaintext, wrapped };
  }

  async wrap(
    dataKey: Uint8Array,
    keyContext: EnvelopeContext,
  ): Promise<{ keyId: string; wrapped: Uint8Array }> {
    const kek = (this.#keys.get(this.#current) as Redacted<Uint8Array>).reveal();
    const iv = randomBytes(12);
    const sealed = aes256Gcm.encrypt(
      kek,
      iv,
      dataKey,
      contextBytes({ ...keyContext, 'portcullis:kid': this.#current }),
    );
    const wrapped = new Uint8Array(12 + sealed.length);
    wrapped.set(iv, 0);
    wrapped.set(sealed, 12);
    return { keyId: this.#current, wrapped };
  }

  async unwrap(
    keyId: string,
    wrapped: Uint8Array,
    keyContext: EnvelopeContext,
  ): Promise<Uint8Array> {
    const kek = this.#keys.get(keyId);
    if (kek === undefined)
      throw new EnvelopeError(
        'ERR_ENVELOPE_WRONG_KEY',
        'The key that wrapped this data key is not in the keyring (retired or unknown).',
        { keyId },
      );
    if (wrapped.length !== 12 + 32 + 16)
      throw new EnvelopeError(
        'ERR_ENVELOPE_CONTEXT_MISMATCH',
        'The wrapped data key was altered.',
        { keyId },
      );
    try {
      return aes256Gcm.decrypt(
        kek.reveal(),
        wrapped.subarray(0, 12),
        wrapped.subarray(12),
        contextBytes({ ...keyContext, 'portcullis:kid': keyId }),
      );
    } catch (error) {
      if (!isEnvelopeError(error, 'ERR_ENVELOPE_TAMPERED')) throw error;
      throw new EnvelopeError(
        'ERR_ENVELOPE_CONTEXT_MISMATCH',
        'The data key did not unwrap under this context: the envelope was sealed for another context, or its wrapped key was altered.',
        { keyId },
      );
    }
  }
}
