// Turning raw data-key bytes into what seal/open use: an AES KeyObject and a commitment key
// (HKDF-derived, so the AES key is never used for anything but GCM).
import { createSecretKey, hash, hkdfSync, type KeyObject, timingSafeEqual } from 'node:crypto';
import { EnvelopeError } from '../errors/EnvelopeError.ts';
import { COMMIT_BYTES } from './format.ts';

export interface KeyMaterial {
  key: KeyObject;
  /** 32 bytes derived from the data key (HKDF), as hex: prefixed to the context for its commitment. */
  commitKey: string;
  raw: Uint8Array;
}

const INFO = new TextEncoder().encode('portcullis-envelope v1 context commitment');

export function material(raw: Uint8Array): KeyMaterial {
  if (raw.length !== 32)
    throw new EnvelopeError(
      'ERR_ENVELOPE_WRONG_KEY',
      'The key service returned a data key that is not 32 bytes.',
    );
  const commit = new Uint8Array(hkdfSync('sha256', raw, new Uint8Array(), INFO, 32));
  return { key: createSecretKey(raw), commitKey: Buffer.from(commit).toString('hex'), raw };
}

/**
 * The 16-byte commitment to a context under a data key: SHA-256(commitKey ‖ context), truncated.
 * It only tells a wrong context from a tampered payload (authenticity comes from the GCM tag,
 * whose AAD holds the context); keyed so it confirms no guess about the context offline.
 */
export function commitment(commitKey: string, context: string): string {
  return hash('sha256', commitKey + context, 'hex').slice(0, COMMIT_BYTES * 2);
}

/** Whether `stored` (bytes) commits to `context` (constant time). */
export function commits(commitKey: string, context: string, stored: Uint8Array): boolean {
  return timingSafeEqual(Buffer.from(commitment(commitKey, context), 'hex'), stored);
}
