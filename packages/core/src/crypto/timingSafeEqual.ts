const encoder = new TextEncoder();

/**
 * Compares two secrets in time that depends only on their lengths, never on where they differ.
 * Strings are compared as their UTF-8 bytes. Unequal lengths return `false` after the same
 * full pass over the longer input, so neither content nor the first difference leaks.
 * Works in every runtime (no `node:crypto`).
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from '@portcullis/core';
 * timingSafeEqual('v1,abc', 'v1,abc'); // true
 * timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3])); // false
 * ```
 */
export function timingSafeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const x = typeof a === 'string' ? encoder.encode(a) : a;
  const y = typeof b === 'string' ? encoder.encode(b) : b;
  if (!(x instanceof Uint8Array) || !(y instanceof Uint8Array)) {
    throw new TypeError('timingSafeEqual compares strings or Uint8Arrays.');
  }
  const length = Math.max(x.length, y.length);
  // Lengths differ → already unequal; still walk the longer input so the time does not depend on content.
  let diff = x.length ^ y.length;
  for (let i = 0; i < length; i++) {
    diff |= (x[i % (x.length || 1)] ?? 0) ^ (y[i % (y.length || 1)] ?? 0);
  }
  return diff === 0;
}
