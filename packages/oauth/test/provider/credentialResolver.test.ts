import { isOAuthError } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { settle } from '../fakeServer.ts';
import { rejection, setup } from './setup.ts';

describe('a secret or key resolver that never settles', () => {
  it('fails the call as ERR_OAUTH_CREDENTIAL_UNAVAILABLE after timeoutMs, and a later call succeeds', async () => {
    let calls = 0;
    const { server, provider, clock } = setup({
      timeoutMs: 2000,
      clientAuth: {
        method: 'client_secret_post',
        secret: () => (++calls === 1 ? new Promise<string>(() => {}) : 's3cret'),
      },
    });
    const pending = rejection(provider.getToken());
    await settle();
    clock.advance(2000);
    const error = await pending;
    expect(isOAuthError(error, 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE')).toBe(true);
    expect(server.tokenRequests).toHaveLength(0);
    // Retried with backoff: within the backoff the error comes back at once, without a call.
    const retryAfterMs = (error as { retryAfterMs?: number }).retryAfterMs ?? 0;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(
      isOAuthError(await rejection(provider.getToken()), 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE'),
    ).toBe(true);
    expect(calls).toBe(1);
    clock.advance(retryAfterMs);
    const token = await provider.getToken();
    expect(token.value.reveal()).toBe(server.issued[0]);
    expect(calls).toBe(2);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('a hanging private key resolver is bounded the same way', async () => {
    const { provider, clock, server } = setup({
      timeoutMs: 1500,
      clientAuth: { method: 'private_key_jwt', privateKey: () => new Promise<string>(() => {}) },
    });
    const pending = rejection(provider.getToken());
    await settle();
    clock.advance(1500);
    expect(isOAuthError(await pending, 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE')).toBe(true);
    expect(server.tokenRequests).toHaveLength(0);
  });
});
