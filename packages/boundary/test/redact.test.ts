import { redact } from '@portcullis/boundary';
import { redacted } from '@portcullis/core';
import { describe, expect, it } from 'vitest';

describe('redact', () => {
  it('replaces values under secret and personal key names, however they are cased', () => {
    expect(
      redact({
        user: 'ada',
        Password: 'p',
        api_key: 'k',
        'X-Api-Key': 'k',
        stripeSecretKey: 's',
        email: 'e',
        n: 1,
      }),
    ).toEqual({
      user: 'ada',
      Password: '[REDACTED]',
      api_key: '[REDACTED]',
      'X-Api-Key': '[REDACTED]',
      stripeSecretKey: '[REDACTED]',
      email: '[REDACTED]',
      n: 1,
    });
  });

  it('replaces token shapes inside any string', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJl';
    const line = [
      'Bearer abc.DEF-123',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'AKIAIOSFODNN7EXAMPLE',
      jwt,
      'sk_live_51Hx9abcdefghijkl',
      'ghp_0123456789abcdefghijABCDEFGHIJ012345',
      'https://user:pa55@db.example.com/x',
      'https://api.example.com/cb?code=xyz&state=1',
      'ada@example.com',
    ].join(' | ');
    const out = redact({ message: line }) as { message: string };
    for (const leak of [
      'abc.DEF',
      'MfKQ9',
      'AKIAIOSF',
      'eyJzdWIi',
      '51Hx9',
      'ghp_0123',
      'pa55',
      'xyz',
      'ada@',
    ]) {
      expect(out.message).not.toContain(leak);
    }
    expect(out.message).toContain('state=1');
    expect(redact('Bearer x', { patterns: false })).toBe('Bearer x');
    expect(redact('id=ORD-1234', { extraPatterns: [/ORD-\d+/] })).toBe('id=[REDACTED]');
  });

  it('never throws: cycles, BigInt, throwing getters, Proxies, Redacted boxes, errors', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const getter = Object.defineProperty({}, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    const proxy = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    const error = Object.assign(new Error('token Bearer abc'), { code: 'E1', cause: 'secret' });
    expect(
      redact({
        cyclic,
        big: 10n,
        getter,
        proxy,
        box: redacted('s3cret'),
        error,
        f: () => 1,
        d: new Date(0),
        m: new Map([['token', 'x']]),
      }),
    ).toEqual({
      cyclic: { a: 1, self: '[Circular]' },
      big: '10',
      getter: { boom: '[Unreadable]' },
      proxy: '[Unreadable]',
      box: '[REDACTED]',
      error: { name: 'Error', message: 'token [REDACTED]', code: 'E1' },
      f: '[Function]',
      d: '1970-01-01T00:00:00.000Z',
      m: { token: '[REDACTED]' },
    });
  });

  it('bounds depth and size, and copies a __proto__ key as data', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(JSON.stringify(redact(deep, { maxDepth: 3 }))).toBe('[[["[Truncated]"]]]');
    expect(
      (redact(new Array(20).fill(1), { maxNodes: 5 }) as unknown[]).filter(
        (x) => x === '[Truncated]',
      ),
    ).toHaveLength(16);
    const out = redact(JSON.parse('{"__proto__":{"admin":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(() => redact({}, { replacement: 1 } as never)).toThrow(TypeError);
  });
});
