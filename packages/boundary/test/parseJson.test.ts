import { isBoundaryError, parseJson } from '@portcullis/boundary';
import { describe, expect, it } from 'vitest';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!isBoundaryError(error)) throw error;
    return error.code;
  }
}

describe('parseJson', () => {
  it('parses text and UTF-8 bytes like JSON.parse', () => {
    const text = '{"a":[1,2,{"b":"x:y"}],"c":null,"d":"é"}';
    expect(parseJson(text)).toEqual(JSON.parse(text));
    expect(parseJson(new TextEncoder().encode(text))).toEqual(JSON.parse(text));
    expect(parseJson(new TextEncoder().encode(text).buffer)).toEqual(JSON.parse(text));
    expect(parseJson('"plain"')).toBe('plain');
  });

  it('refuses a duplicate key, at any depth, spaced or escaped (JSON.parse keeps the last)', () => {
    expect(code(() => parseJson('{"a":1,"a":2}'))).toBe('ERR_BOUNDARY_DUPLICATE_KEY');
    expect(code(() => parseJson('{"x":{"a":":","a":":"}}'))).toBe('ERR_BOUNDARY_DUPLICATE_KEY');
    expect(code(() => parseJson('{"a" : 1, "a" : 2}'))).toBe('ERR_BOUNDARY_DUPLICATE_KEY');
    expect(code(() => parseJson('{"a":1,"\\u0061":2}'))).toBe('ERR_BOUNDARY_DUPLICATE_KEY');
    expect(code(() => parseJson('{"a\\"":1,"a\\"":2}'))).toBe('ERR_BOUNDARY_DUPLICATE_KEY');
    expect(code(() => parseJson('[{":a":1,":a":2}]'))).toBe('ERR_BOUNDARY_DUPLICATE_KEY');
  });

  it('does not mistake colons inside strings for duplicates', () => {
    expect(parseJson('{"url":"https://x:8080/a:b",":k":":v","t":"10:00:00"}')).toEqual({
      url: 'https://x:8080/a:b',
      ':k': ':v',
      t: '10:00:00',
    });
    expect(parseJson('{"a\\u003a":"\\u003ab"}')).toEqual({ 'a:': ':b' });
  });

  it('refuses __proto__, constructor and prototype keys, also spelled with escapes', () => {
    for (const text of [
      '{"__proto__":{"admin":true}}',
      '{"a":{"constructor":{"prototype":{"admin":true}}}}',
      '[{"\\u005f_proto__":1}]',
    ]) {
      expect(code(() => parseJson(text))).toBe('ERR_BOUNDARY_FORBIDDEN_KEY');
    }
  });

  it('drops forbidden keys when asked, leaving no polluted prototype', () => {
    const value = parseJson('{"__proto__":{"admin":true},"a":1}', { forbiddenKeys: 'drop' });
    expect(value).toEqual({ a: 1 });
    expect(Object.hasOwn(value as object, '__proto__')).toBe(false);
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });

  it('applies every limit by default and on request', () => {
    expect(code(() => parseJson(`${'['.repeat(65)}${']'.repeat(65)}`))).toBe(
      'ERR_BOUNDARY_TOO_DEEP',
    );
    expect(parseJson(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeDefined();
    expect(code(() => parseJson('[1,2,3]', { maxArrayLength: 2 }))).toBe(
      'ERR_BOUNDARY_ARRAY_TOO_LONG',
    );
    expect(code(() => parseJson('{"a":1,"b":2}', { maxKeys: 1 }))).toBe(
      'ERR_BOUNDARY_TOO_MANY_KEYS',
    );
    expect(code(() => parseJson('"abcd"', { maxStringLength: 3 }))).toBe(
      'ERR_BOUNDARY_STRING_TOO_LONG',
    );
    expect(code(() => parseJson('"ééé"', { maxBytes: 5 }))).toBe('ERR_BOUNDARY_TOO_LARGE');
    expect(code(() => parseJson(new Uint8Array(6), { maxBytes: 5 }))).toBe(
      'ERR_BOUNDARY_TOO_LARGE',
    );
    expect(code(() => parseJson(`[${'0,'.repeat(10_000)}0]`))).toBe('ERR_BOUNDARY_ARRAY_TOO_LONG');
  });

  it('refuses a million levels of nesting quickly, without a RangeError', () => {
    const deep = '['.repeat(500_000) + ']'.repeat(500_000);
    expect(code(() => parseJson(deep, { maxBytes: 2_000_000 }))).toBe('ERR_BOUNDARY_TOO_DEEP');
  });

  it('reports integers JSON.parse would round, and overflowing numbers', () => {
    expect(code(() => parseJson('{"id":9007199254740993}'))).toBe('ERR_BOUNDARY_UNSAFE_INTEGER');
    expect(code(() => parseJson('[-9007199254740993]'))).toBe('ERR_BOUNDARY_UNSAFE_INTEGER');
    expect(code(() => parseJson('1e400'))).toBe('ERR_BOUNDARY_UNSAFE_INTEGER');
    expect(parseJson('[9007199254740991, 0.1, 1e-7]')).toEqual([9007199254740991, 0.1, 1e-7]);
    expect(parseJson('9007199254740993', { unsafeIntegers: 'allow' })).toBe(9007199254740992);
  });

  it('refuses malformed JSON and invalid UTF-8 without quoting the input', () => {
    for (const text of ['{"secret":"hunter2"', '{"a":1,}', '', 'tru']) {
      try {
        parseJson(text);
        expect.unreachable();
      } catch (error) {
        expect(isBoundaryError(error, 'ERR_BOUNDARY_MALFORMED_JSON')).toBe(true);
        expect((error as Error).message).not.toContain('hunter2');
        expect((error as Error).cause).toBeUndefined();
      }
    }
    expect(code(() => parseJson(new Uint8Array([0x22, 0xff, 0x22])))).toBe('ERR_BOUNDARY_ENCODING');
  });

  it('validates limits as options: wrong type, out of range, unknown key', () => {
    expect(() => parseJson('1', { maxDepth: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => parseJson('1', { maxDepth: '3' as unknown as number })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => parseJson('1', { maxDeph: 3 } as never)).toThrow(/Did you mean "maxDepth"/);
    expect(() => parseJson(42 as never)).toThrow(TypeError);
  });
});
