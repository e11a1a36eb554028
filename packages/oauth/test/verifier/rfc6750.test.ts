import { isAccessTokenError } from '@portcullis/oauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Keys, makeKeys, refusal, sign, staticVerifier } from './setup.ts';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

describe('RFC 6750 answers of the verifier', () => {
  it('another scheme (Basic) is a missing token: 401 with no error code', async () => {
    const error = await refusal(staticVerifier(keys).verify('Basic c3ZjOnMzY3JldA=='));
    expect(isAccessTokenError(error, 'ERR_OAUTH_TOKEN_MISSING')).toBe(true);
    expect(error.status).toBe(401);
    expect(error.wwwAuthenticate).toBe('Bearer');
  });

  for (const header of ['   ', '\t', ' \t  ']) {
    it(`a whitespace-only header is a missing token (${JSON.stringify(header)})`, async () => {
      const error = await refusal(staticVerifier(keys).verify(header));
      expect(isAccessTokenError(error, 'ERR_OAUTH_TOKEN_MISSING')).toBe(true);
      expect(error.wwwAuthenticate).toBe('Bearer');
    });
  }

  for (const header of [
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer a\tb',
    'Bearer a,b',
    'Bearer ä',
  ]) {
    it(`a malformed Bearer header is 400 invalid_request (${JSON.stringify(header)})`, async () => {
      const error = await refusal(staticVerifier(keys).verify(header));
      expect(isAccessTokenError(error, 'ERR_OAUTH_INVALID_REQUEST')).toBe(true);
      expect(error.status).toBe(400);
      expect(error.wwwAuthenticate).toMatch(/^Bearer error="invalid_request"/);
    });
  }

  it('a well-formed Bearer header with a bad token is still 401 invalid_token', async () => {
    const error = await refusal(staticVerifier(keys).verify('Bearer not-a-jwt'));
    expect(isAccessTokenError(error, 'ERR_OAUTH_TOKEN_INVALID')).toBe(true);
    expect(error.wwwAuthenticate).toMatch(/error="invalid_token"/);
  });

  it('a valid token passes, with the scheme in any case and the header padded', async () => {
    const token = await sign(keys);
    await expect(staticVerifier(keys).verify(`  bearer ${token}  `)).resolves.toMatchObject({
      sub: 'svc',
    });
  });
});
