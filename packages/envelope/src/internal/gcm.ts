// AES-256-GCM on node:crypto, writing straight into the caller's buffer: the one primitive the
// binary envelope, the keyring wrap and the public `aes256Gcm` share.
import { createCipheriv, createDecipheriv, type KeyObject, randomFillSync } from 'node:crypto';
import { EnvelopeError } from '../errors/EnvelopeError.ts';

export const TAG = 16;

/** Encrypts `plaintext` into `out` at `offset` (ciphertext then tag); returns the bytes written. */
export function gcmEncryptInto(
  key: Uint8Array | KeyObject,
  iv: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  out: Uint8Array,
  offset: number,
): number {
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad.length > 0) cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  out.set(head, offset);
  const tail = cipher.final();
  if (tail.length > 0) out.set(tail, offset + head.length);
  out.set(cipher.getAuthTag(), offset + head.length + tail.length);
  return head.length + tail.length + TAG;
}

/** Decrypts ciphertext-then-tag; `ERR_ENVELOPE_TAMPERED` when the tag does not match. */
export function gcmDecrypt(
  key: Uint8Array | KeyObject,
  iv: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
): Uint8Array {
  if (sealed.length < TAG)
    throw new EnvelopeError('ERR_ENVELOPE_MALFORMED', 'The ciphertext is shorter than its tag.');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  if (aad.length > 0) decipher.setAAD(aad);
  const head = decipher.update(sealed.subarray(0, sealed.length - TAG));
  let tail: Buffer;
  try {
    tail = decipher.final();
  } catch {
    throw new EnvelopeError(
      'ERR_ENVELOPE_TAMPERED',
      'The ciphertext failed authentication: it was altered.',
    );
  }
  if (tail.length === 0) return new Uint8Array(head.buffer, head.byteOffset, head.length);
  const out = new Uint8Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

// IVs come from a pool of CSPRNG bytes refilled in one call every 341 IVs: each IV is still 96
// fresh random bits, used once (randomBytes(12) per message costs more than the cipher at 1 KiB).
const POOL = new Uint8Array(12 * 341);
let used = POOL.length;

/** 12 fresh random bytes (a view; copy them before the next call if kept). */
export function nextIv(): Uint8Array {
  if (used + 12 > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const iv = POOL.subarray(used, used + 12);
  used += 12;
  return iv;
}
