import { isOAuthError } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { settle } from '../fakeServer.ts';
import { setup } from './setup.ts';

describe('createTokenProvider: token response rules', () => {
  it('never serves a token whose usable life ended while its response was in flight', async () => {
    const { server, provider } = setup();
    server.expiresIn = 8;
    server.latencyMs = 9_000;
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(isOAuthError(error, 'ERR_OAUTH_INVALID_RESPONSE')).toBe(true);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('a minValidityMs the server cannot meet costs one request per refresh window, not one per call', async () => {
    const { server, provider, clock } = setup();
    const first = await provider.getToken({ minValidityMs: 95_000 });
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      expect(await provider.getToken({ minValidityMs: 95_000 })).toBe(first);
    }
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('keeps server-chosen error text out of the caller-facing message', async () => {
    const { server, provider } = setup();
    server.replies.push({
      kind: 'error',
      status: 400,
      body: { error: 'invalid_request: body was client_secret=S3CRET' },
    });
    const error = (await provider.getToken().catch((e: unknown) => e)) as Error;
    expect(isOAuthError(error)).toBe(true);
    expect(error.message).not.toContain('S3CRET');
    expect(JSON.stringify(error)).not.toContain('client_secret');
  });

  it('assumes defaultLifetimeSec when expires_in is missing', async () => {
    const { server, provider } = setup();
    server.expiresIn = undefined;
    const token = await provider.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(300_000);
  });

  it('cuts an absurd lifetime to maxLifetimeSec', async () => {
    const { server, provider } = setup();
    server.expiresIn = 10 ** 9;
    const token = await provider.getToken();
    expect(token.expiresAt - token.issuedAt).toBe(86_400_000);
  });

  it.each([0, -5])('refuses expires_in %s and retries with backoff', async (expiresIn) => {
    const { server, provider } = setup();
    server.expiresIn = expiresIn;
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_RESPONSE' });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_RESPONSE' });
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('refuses a token type other than Bearer or DPoP', async () => {
    const { server, provider } = setup();
    server.replies.push({ kind: 'token', body: { token_type: 'mac' } });
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_INVALID_RESPONSE' });
  });

  it('keeps the held token when a refresh returns one no newer, and backs off', async () => {
    const { server, provider, clock } = setup();
    const first = await provider.getToken();
    await provider.getToken(); // in use
    server.expiresIn = 10; // the refreshed token would expire before the held one
    clock.advance(76_000);
    await settle();
    expect(server.tokenRequests).toHaveLength(2);
    expect(await provider.getToken()).toBe(first);
    await settle();
    // Not retried in a tight loop: the next attempt waits for the backoff.
    expect(server.tokenRequests).toHaveLength(2);
  });
});
