import { isAccessTokenError } from '@portcullis/oauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Keys, makeKeys, refusal, sign, staticVerifier } from './setup.ts';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

describe('RFC 9068 claim types', () => {
  for (const [claim, value] of [
    ['scope', ['orders:read']],
    ['scope', 42],
    ['client_id', {}],
    ['client_id', 7],
    ['sub', 42],
    ['sub', ['svc']],
    ['jti', 1],
    ['iat', '1767225600'],
    ['auth_time', 'yesterday'],
    ['acr', 1],
    ['amr', 'pwd'],
    ['amr', [1]],
  ] as const) {
    it(`refuses ${claim}: ${JSON.stringify(value)}`, async () => {
      const error = await refusal(
        staticVerifier(keys).verify(await sign(keys, { [claim]: value })),
      );
      expect(isAccessTokenError(error, 'ERR_OAUTH_TOKEN_INVALID')).toBe(true);
      expect(error.message).toContain(claim);
    });
  }

  it('accepts every claim with its RFC 9068 type', async () => {
    const claims = await staticVerifier(keys).verify(
      await sign(keys, {
        auth_time: 1_767_225_000,
        acr: 'urn:mace:incommon:iap:silver',
        amr: ['pwd'],
      }),
    );
    expect(claims.scopes).toEqual(['orders:read', 'orders:write']);
    expect(claims.client_id).toBe('svc');
  });
});
