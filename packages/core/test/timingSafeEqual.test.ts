import { timingSafeEqual } from '@portcullis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

/** A Uint8Array whose element reads are counted, to see how much of it a comparison touches. */
function counted(bytes: Uint8Array): { view: Uint8Array; reads: () => number } {
  let reads = 0;
  const view = new Proxy(bytes, {
    get(target, prop) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { view, reads: () => reads };
}

describe('timingSafeEqual', () => {
  it('compares strings as UTF-8 and bytes as bytes', () => {
    expect(timingSafeEqual('abc', 'abc')).toBe(true);
    expect(timingSafeEqual('abc', 'abd')).toBe(false);
    expect(timingSafeEqual('', '')).toBe(true);
    expect(timingSafeEqual('', 'a')).toBe(false);
    expect(timingSafeEqual('é', new Uint8Array([0xc3, 0xa9]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2]))).toBe(false);
    expect(timingSafeEqual(Buffer.from('abc'), 'abc')).toBe(true);
  });

  it('agrees with plain equality on any inputs (property)', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => timingSafeEqual(a, b) === (a === b)));
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        const same = a.length === b.length && a.every((v, i) => v === b[i]);
        return timingSafeEqual(a, b) === same;
      }),
    );
  });

  it('reads every byte of both inputs whatever the content or where it differs', () => {
    const expected = new Uint8Array(32).fill(7);
    for (const candidate of [
      new Uint8Array(32).fill(7), // equal
      Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : 7)), // differs at the start
      Uint8Array.from({ length: 32 }, (_, i) => (i === 31 ? 0 : 7)), // differs at the end
      new Uint8Array(31).fill(7), // shorter
      new Uint8Array(64).fill(0), // longer and different
    ]) {
      const a = counted(expected);
      const b = counted(candidate);
      timingSafeEqual(a.view, b.view);
      const longest = Math.max(expected.length, candidate.length);
      expect(a.reads()).toBe(longest);
      expect(b.reads()).toBe(longest);
    }
  });

  it('tells strings apart by length, prefix and any one code unit (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 0xffff }),
        (s, at, flip) => {
          const i = at % s.length;
          const changed =
            s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) ^ flip) + s.slice(i + 1);
          return (
            !timingSafeEqual(s, changed) &&
            !timingSafeEqual(s, s.slice(0, -1)) &&
            !timingSafeEqual(s.slice(0, -1), s) &&
            timingSafeEqual(s, `${s}`)
          );
        },
      ),
    );
  });

  it('compares lone surrogates exactly when both sides are strings', () => {
    expect(timingSafeEqual('\ud800', '\ud801')).toBe(false);
    expect(timingSafeEqual('\ud800', '\ud800')).toBe(true);
  });

  it('refuses inputs that are neither strings nor bytes', () => {
    expect(() => timingSafeEqual(1 as unknown as string, 'a')).toThrow(TypeError);
  });
});
