import { inspect } from 'node:util';
import { isOAuthError } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { rejection, setup } from './setup.ts';

describe('an access_token that cannot go into an Authorization header', () => {
  for (const [what, value] of [
    ['CR/LF (header injection)', 'tok\r\nx-injected: 1'],
    ['a bare LF', 'tok\nrest'],
    ['a NUL byte', 'tok\u0000rest'],
    ['non-ASCII', 'tök'],
    ['a leading space', ' leading-space-token'],
  ] as const) {
    it(`is refused as ERR_OAUTH_INVALID_RESPONSE: ${what}`, async () => {
      const { server, provider } = setup();
      server.replies.push({ kind: 'token', body: { access_token: value } });
      const error = await rejection(provider.getToken());
      expect(isOAuthError(error, 'ERR_OAUTH_INVALID_RESPONSE')).toBe(true);
      expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain(value);
      // Not cached: the next attempt (after the backoff) asks again.
      server.replies.length = 0;
    });
  }

  it('a token of visible ASCII is accepted', async () => {
    const { server, provider } = setup();
    server.replies.push({ kind: 'token', body: { access_token: 'a.b-c_d~e+f/g=' } });
    const token = await provider.getToken();
    expect(token.value.reveal()).toBe('a.b-c_d~e+f/g=');
  });
});
