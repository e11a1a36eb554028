import { resolveOptions, rules } from '@portcullis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

interface Opts {
  timeoutMs?: number;
  retries?: number;
  ratio?: number;
  mode?: 'a' | 'b';
  label?: string;
  nested?: { pollIntervalMs?: number; lockTtlMs?: number };
}
const DEFAULTS = { timeoutMs: 5000, retries: 3, ratio: 0.5, mode: 'a', nested: {} } as const;
const NESTED_DEFAULTS = { pollIntervalMs: 50, lockTtlMs: 10_000 } as const;
const RULES = {
  timeoutMs: rules.durationMs({ max: 60_000 }),
  retries: rules.integer({ min: 0, max: 10 }),
  ratio: rules.number(),
  mode: rules.oneOf(['a', 'b']),
  label: rules.optional(rules.string()),
  nested: rules.object(NESTED_DEFAULTS, {
    pollIntervalMs: rules.durationMs(),
    lockTtlMs: rules.durationMs({ min: 100 }),
  }),
};
const resolve = (input: unknown) =>
  resolveOptions<Opts, typeof DEFAULTS>('options', input as Opts, DEFAULTS, RULES);

function thrown(fn: () => unknown): TypeError & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as TypeError & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('resolveOptions', () => {
  it('fills every default, nested ones included, and keeps given values', () => {
    expect(resolve(undefined)).toEqual({
      timeoutMs: 5000,
      retries: 3,
      ratio: 0.5,
      mode: 'a',
      nested: { pollIntervalMs: 50, lockTtlMs: 10_000 },
    });
    const given = resolve({ timeoutMs: 10, label: 'x', nested: { lockTtlMs: 200 } });
    expect(given.timeoutMs).toBe(10);
    expect(given.label).toBe('x');
    expect(given.nested).toEqual({ pollIntervalMs: 50, lockTtlMs: 200 });
  });

  it.each([
    ['timeoutMs', 0],
    ['timeoutMs', -1],
    ['timeoutMs', Number.NaN],
    ['timeoutMs', 1.5],
    ['timeoutMs', 60_001],
    ['timeoutMs', Number.POSITIVE_INFINITY],
    ['retries', 11],
    ['ratio', 1.01],
    ['mode', 'c'],
    ['label', ''],
  ])('refuses %s = %s with ERR_INVALID_ARG_VALUE naming the option', (key, value) => {
    const error = thrown(() => resolve({ [key]: value }));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(error.message).toContain(`options.${key}`);
  });

  it.each([
    ['timeoutMs', '5000'],
    ['mode', 1],
    ['label', 42],
    ['nested', 'x'],
  ])('refuses %s of the wrong type with ERR_INVALID_ARG_TYPE', (key, value) => {
    const error = thrown(() => resolve({ [key]: value }));
    expect(error.code).toBe('ERR_INVALID_ARG_TYPE');
    expect(error.message).toContain(`options.${key}`);
  });

  it('validates nested options with their full path', () => {
    for (const bad of [0, Number.NaN, -1]) {
      expect(thrown(() => resolve({ nested: { pollIntervalMs: bad } })).message).toContain(
        'options.nested.pollIntervalMs',
      );
    }
    expect(thrown(() => resolve({ nested: { lockTtlMs: 99 } })).message).toContain(
      'options.nested.lockTtlMs',
    );
  });

  it('refuses an unknown key, naming it and suggesting the closest known one', () => {
    const error = thrown(() => resolve({ timeoutMS: 5 }));
    expect(error.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(error.message).toBe('Unknown option "options.timeoutMS". Did you mean "timeoutMs"?');
    const nested = thrown(() => resolve({ nested: { pollInterval: 5 } }));
    expect(nested.message).toContain('"options.nested.pollInterval"');
    expect(nested.message).toContain('"pollIntervalMs"');
    expect(thrown(() => resolve({ zzz: 1 })).message).toBe('Unknown option "options.zzz".');
  });

  it('refuses an unknown key even when its value is undefined, and non-plain objects', () => {
    expect(() => resolve({ typo: undefined })).toThrow(/Unknown option "options.typo"/);
    expect(thrown(() => resolve([])).code).toBe('ERR_INVALID_ARG_TYPE');
    expect(thrown(() => resolve(new Map())).code).toBe('ERR_INVALID_ARG_TYPE');
  });

  it('never puts the value given in the message (it may be a secret)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9]{8,24}$/).map((s) => `s3cr3t_${s}`),
        (secret) => {
          const error = thrown(() => resolve({ mode: secret }));
          expect(error.message).not.toContain(secret);
        },
      ),
    );
  });
});

describe('rules', () => {
  it('durationMs accepts zero only when asked', () => {
    expect(() => rules.durationMs()(0, 'x')).toThrow(TypeError);
    expect(rules.durationMs({ min: 0 })(0, 'x')).toBe(0);
  });

  it('implementing checks for methods', () => {
    const store = rules.implementing<{ get(): void }>('get');
    expect(() => store({}, 'options.store')).toThrow(/options.store/);
    const ok = { get() {} };
    expect(store(ok, 'options.store')).toBe(ok);
  });

  it('a required rule refuses undefined', () => {
    expect(() => rules.string()(undefined, 'options.name')).toThrow(/options.name/);
  });
});
