import { createAccessTokenVerifier, DEFAULTS } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { AUD, ISSUER } from './setup.ts';

type Options = Parameters<typeof createAccessTokenVerifier>[0];
const make = (extra: Record<string, unknown>) =>
  createAccessTokenVerifier({ issuer: ISSUER, audience: AUD, ...extra } as Options);

describe('createAccessTokenVerifier options are validated at construction', () => {
  it('refuses an unknown option with a "did you mean"', () => {
    expect(() => make({ jwksTimeout: 5000 })).toThrow(
      /jwksTimeout.*did you mean "jwksTimeoutMs"/is,
    );
  });

  for (const [name, value] of [
    ['jwksTimeoutMs', 0],
    ['jwksCooldownMs', Number.NaN],
    ['jwksMaxStaleMs', -1],
    ['clockToleranceSec', -1],
  ] as const) {
    it(`refuses ${name}: ${value}`, () => {
      expect(() => make({ [name]: value })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    });
  }

  it('takes its defaults from DEFAULTS.verifier', () => {
    expect(DEFAULTS.verifier.jwksTimeoutMs).toBe(5000);
    expect(Object.isFrozen(DEFAULTS.verifier)).toBe(true);
  });
});
