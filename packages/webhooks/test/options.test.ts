// One DEFAULTS object and one rule per option: every options object is checked when it is taken
// (wrong type, out of range, unknown key), and the README's defaults tables match DEFAULTS.
import { fileURLToPath } from 'node:url';
import type { SecretInput as CoreSecretInput } from '@portcullis/core';
import {
  createSigner,
  createVerifier,
  DEFAULTS,
  defineHmacScheme,
  explain,
  generateSecret,
  readRequest,
  type Scheme,
  type SecretInput,
  schemes,
} from '@portcullis/webhooks';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';
import { SECRET } from './helpers.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

function thrown(make: () => unknown): { name?: string; code?: string; message?: string } {
  try {
    make();
  } catch (error) {
    return error as { name?: string; code?: string; message?: string };
  }
  throw new Error('expected a throw');
}

describe('webhooks options', () => {
  it('the README defaults tables match DEFAULTS, which is frozen', () => {
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });

  it('refuses an unknown option with a TypeError that names it and suggests the known one', () => {
    const error = thrown(() => createVerifier({ secrets: SECRET, tolerance: 60 } as never));
    expect(error).toMatchObject({ name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
    expect(error.message).toBe('Unknown option "options.tolerance". Did you mean "toleranceSec"?');
    expect(() => createSigner({ secrets: SECRET, clok: 1 } as never)).toThrow(/"clock"/);
    expect(() =>
      defineHmacScheme({ name: 'x', signatureHeader: 'x-sig', signedContents: '{body}' } as never),
    ).toThrow(/"signedContent"/);
  });

  it('range-checks every numeric option (0, negative, NaN, fractions, too large)', () => {
    const cases: [string, unknown][] = [
      ['toleranceSec', -1],
      ['toleranceSec', Number.NaN],
      ['toleranceSec', 3e6],
      ['futureToleranceSec', Number.POSITIVE_INFINITY],
      ['clockSkewSec', -0.5],
      ['maxHeaderLength', 0],
      ['maxHeaderLength', 10.5],
      ['maxSignatures', 0],
      ['maxSignatures', 65],
    ];
    for (const [key, value] of cases) {
      expect(
        thrown(() => createVerifier({ secrets: SECRET, [key]: value })),
        key,
      ).toMatchObject({
        name: 'TypeError',
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    expect(
      thrown(() => createVerifier({ secrets: SECRET, toleranceSec: '300' as never })),
    ).toMatchObject({ code: 'ERR_INVALID_ARG_TYPE' });
    expect(thrown(() => createVerifier({ secrets: SECRET, store: {} as never }))).toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });

  it('checks generateSecret options the same way', () => {
    expect(() => generateSecret({ byte: 32 } as never)).toThrow(/Did you mean "bytes"/);
    expect(thrown(() => generateSecret({ bytes: 23 }))).toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    expect(thrown(() => generateSecret({ format: 'pem' as never }))).toMatchObject({
      name: 'TypeError',
    });
    expect(generateSecret({ format: 'hex', bytes: 24 }).reveal()).toMatch(/^[0-9a-f]{48}$/);
  });

  it('checks the readers and explain with the same rules', async () => {
    const request = new Request('https://example.com/', { method: 'POST', body: 'x' });
    await expect(readRequest(request, { maxBodyBytes: -1 })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_VALUE',
    });
    await expect(
      explain({ secrets: SECRET, headers: {}, body: '', maxSignatures: 0 }),
    ).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  });

  it('a Scheme is opaque: only the built-ins and defineHmacScheme make one', () => {
    const copy = { ...schemes.github } as Scheme;
    expect(() => createVerifier({ scheme: copy, secrets: 'x' })).toThrow(TypeError);
    expect(() => createSigner({ scheme: copy, secrets: 'x' })).toThrow(TypeError);
    expect(Object.isFrozen(schemes.github)).toBe(true);
    expect(Object.keys(schemes.github)).not.toContain('parse');
    // @ts-expect-error: a hand-built object is not a Scheme
    const handBuilt: Scheme = { name: 'mine', idSigned: false };
    void handBuilt;
    expectTypeOf<SecretInput>().toEqualTypeOf<CoreSecretInput>();
  });
});
