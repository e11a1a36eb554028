import { isOAuthError } from '@portcullis/oauth';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejection, setup } from './setup.ts';

describe('token endpoint answers (properties)', () => {
  it('any error status with any body is classified by the status alone', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 400, max: 599 }),
        fc.string({ maxLength: 200 }),
        fc.constantFrom('text/html', 'text/plain', 'application/json', 'application/xml'),
        async (status, body, type) => {
          const { server, provider } = setup();
          server.replies.push({ kind: 'raw', status, body, headers: { 'content-type': type } });
          const error = await rejection(provider.getToken());
          provider.close();
          const transient = status >= 500 || status === 408 || status === 429;
          if (transient) expect(isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')).toBe(true);
          else if (status === 401)
            expect(isOAuthError(error, 'ERR_OAUTH_CLIENT_REJECTED')).toBe(true);
          else {
            expect(
              isOAuthError(error, 'ERR_OAUTH_REQUEST_REJECTED') ||
                isOAuthError(error, 'ERR_OAUTH_CLIENT_REJECTED'),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('any access_token is either served as given and fit for a header, or refused as invalid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
        async (value) => {
          const { server, provider } = setup();
          server.replies.push({ kind: 'token', body: { access_token: value } });
          const outcome = await provider.getToken().then(
            (token) => token,
            (error: unknown) => error,
          );
          provider.close();
          if (isOAuthError(outcome)) {
            expect(outcome.code).toBe('ERR_OAUTH_INVALID_RESPONSE');
          } else {
            const token = (outcome as { value: { reveal(): string } }).value.reveal();
            expect(token).toBe(value);
            expect(new Headers({ authorization: `Bearer ${token}` }).get('authorization')).toBe(
              `Bearer ${value}`,
            );
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
