/**
 * Constant-time equality of two ASCII strings (encoded signatures). Time depends only on the
 * lengths, and the expected length is public (it is fixed by the algorithm and encoding).
 * Kept here rather than core's `timingSafeEqual` because it skips the UTF-8 copy on the hot path.
 */
export function asciiEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
