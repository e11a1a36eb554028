import { isAccessTokenError } from '@portcullis/oauth';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Keys, makeKeys, refusal, staticVerifier } from './setup.ts';

let keys: Keys;
beforeAll(async () => {
  keys = await makeKeys();
});

describe('Authorization header parsing (property)', () => {
  it('any header value is refused with a typed RFC 6750 answer, never a crash', async () => {
    const verifier = staticVerifier(keys);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 60 }),
          fc.string({ maxLength: 60 }).map((s) => `Bearer ${s}`),
          fc.string({ maxLength: 60 }).map((s) => `bearer\t${s}`),
        ),
        async (header) => {
          const error = await refusal(verifier.verify(header));
          expect(isAccessTokenError(error)).toBe(true);
          expect([400, 401]).toContain(error.status);
          expect(error.wwwAuthenticate.startsWith('Bearer')).toBe(true);
          if (error.code === 'ERR_OAUTH_TOKEN_MISSING')
            expect(error.wwwAuthenticate).not.toMatch(/error=/);
          if (error.status === 400)
            expect(error.wwwAuthenticate).toMatch(/error="invalid_request"/);
        },
      ),
      { numRuns: 100 },
    );
  });
});
