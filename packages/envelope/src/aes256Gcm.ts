import type { KeyObject } from 'node:crypto';
import { invalidArgument } from '@portcullis/core';
import { gcmDecrypt, gcmEncryptInto, TAG } from './internal/gcm.ts';

function check(key: Uint8Array | KeyObject, iv: Uint8Array): void {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw invalidArgument('key', 'a 32-byte AES-256 key', 'value');
  } else if (key.symmetricKeySize !== 32) {
    throw invalidArgument('key', 'a 32-byte AES-256 key', 'value');
  }
  if (!(iv instanceof Uint8Array) || iv.length !== 12)
    throw invalidArgument('iv', 'a 12-byte IV', 'value');
}

/**
 * The AES-256-GCM primitive the binary envelope uses (12-byte IV, 16-byte tag), on `node:crypto`.
 * Exposed so it can be checked against published vectors; prefer `createEnvelope`, which picks
 * keys and IVs for you. Never reuse an IV with the same key.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { aes256Gcm } from '@portcullis/envelope';
 * const key = randomBytes(32);
 * const iv = randomBytes(12);
 * const sealed = aes256Gcm.encrypt(key, iv, new TextEncoder().encode('hi'), new Uint8Array());
 * aes256Gcm.decrypt(key, iv, sealed, new Uint8Array()); // the bytes of 'hi'
 * ```
 */
export const aes256Gcm: {
  /** Ciphertext followed by the 16-byte tag. */
  encrypt(
    key: Uint8Array | KeyObject,
    iv: Uint8Array,
    plaintext: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array;
  /** The plaintext, or `ERR_ENVELOPE_TAMPERED` when the tag does not match. */
  decrypt(
    key: Uint8Array | KeyObject,
    iv: Uint8Array,
    sealed: Uint8Array,
    aad: Uint8Array,
  ): Uint8Array;
} = {
  encrypt(key, iv, plaintext, aad) {
    check(key, iv);
    const out = new Uint8Array(plaintext.length + TAG);
    gcmEncryptInto(key, iv, plaintext, aad, out, 0);
    return out;
  },
  decrypt(key, iv, sealed, aad) {
    check(key, iv);
    return gcmDecrypt(key, iv, sealed, aad);
  },
};
