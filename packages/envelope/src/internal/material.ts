// Turning raw data-key bytes into what seal/open use: an AES KeyObject and a commitment key
// (HKDF-derived, so the AES key is never used for anything but GCM).
import { createHmac, createSecretKey, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';
import { EnvelopeError } from '../errors/EnvelopeError.ts';
import { COMMIT_BYTES } from './format.ts';

export interface KeyMaterial {
  key: KeyObject;
  commitKey: KeyObject;
  raw: Uint8Array;
}

const INFO = new TextEncoder().encode('portcullis-envelope v1 context commitment');

export function material(raw: Uint8Array): KeyMaterial {
  if (raw.length !== 32)
    throw new EnvelopeError('ERR_ENVELOPE_WRONG_KEY', 'The key service returned a data key that is not 32 bytes.');
  const commit = new Uint8Array(hkdfSync('sha256', raw, new Uint8Array(), INFO, 32));
  return { key: createSecretKey(raw), commitKey: createSecretKey(commit), raw };
}

/** The 16-byte commitment to a context under a data key. */
export function commitment(commitKey: KeyObject, context: Uint8Array): Uint8Array {
  return createHmac('sha256', commitKey).update(context).digest().subarray(0, COMMIT_BYTES);
}

/** Whether `stored` commits to `context` (constant time). */
export function commits(commitKey: KeyObject, context: Uint8Array, stored: Uint8Array): boolean {
  return timingSafeEqual(commitment(commitKey, context), stored);
}
