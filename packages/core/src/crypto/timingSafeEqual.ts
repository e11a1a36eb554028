const encoder = new TextEncoder();

/**
 * Compares two secrets in time that depends only on their lengths, never on where they differ.
 * Two strings are compared code unit by code unit with no copy (the hot path for encoded
 * signatures and tokens); a string against bytes is compared as its UTF-8 encoding. Unequal
 * lengths return `false` after the same full pass over the longer input, so neither content nor
 * the first difference leaks. Works in every runtime (no `node:crypto`).
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from '@portcullis/core';
 * timingSafeEqual('v1,abc', 'v1,abc'); // true
 * timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])); // false
 * ```
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  if (typeof a === 'string' && typeof b === 'string') return codeUnitsEqual(a, b);
  const x = typeof a === 'string' ? encoder.encode(a) : a;
  const y = typeof b === 'string' ? encoder.encode(b) : b;
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array)) {
    throw new TypeError('timingSafeEqual compares strings or Uint8Arrays.');
  }
  return bytesEqual(x, y);
}

function codeUnitsEqual(a: string, b: string): boolean {
  if (a.length === b.length) {
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
    return diff === 0;
  }
  // Lengths differ → already unequal; still walk the longer input so the time does not depend on content.
  const [long, short] = a.length > b.length ? [a, b] : [b, a];
  let diff = 1;
  for (let i = 0; i < long.length; i++)
    diff |= long.charCodeAt(i) ^ short.charCodeAt(i % (short.length || 1));
  return diff === 0;
}

function bytesEqual(x: Uint8Array, y: Uint8Array): boolean {
  const length = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) {
    diff |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  }
  return diff === 0;
}
