import { isOAuthError } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { settle } from '../fakeServer.ts';
import { setup } from './setup.ts';

describe('createTokenProvider: outages', () => {
  it('keeps serving the valid token while the server is down, then fails with the typed error', async () => {
    const { server, provider, clock } = setup({
      refresh: { clockSkewMs: 10_000, maxBackoffMs: 4000 },
    });
    const first = await provider.getToken();
    server.mode = 'down';
    for (let t = 0; t < 89; t++) {
      clock.advance(1000);
      await settle(3);
      expect(await provider.getToken()).toBe(first);
    }
    const requestsDuringOutage = server.tokenRequests.length - 1;
    // Backoff: 0.5, 1, 2, 4, 4… s from 75 s to 90 s: a handful, not one per call.
    expect(requestsDuringOutage).toBeGreaterThan(1);
    expect(requestsDuringOutage).toBeLessThan(10);
    clock.advance(1000); // 90 s: expiry minus the 10 s skew margin
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')).toBe(true);
  });

  it('recovers without a restart once the server is back', async () => {
    const { server, provider, clock } = setup({
      refresh: { clockSkewMs: 10_000, maxBackoffMs: 2000 },
    });
    server.mode = 'down';
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_SERVER_UNAVAILABLE',
    });
    // Within the backoff, callers fail at once without a request.
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_SERVER_UNAVAILABLE',
    });
    expect(server.tokenRequests).toHaveLength(1);
    server.mode = 'ok';
    clock.advance(2000);
    const token = await provider.getToken();
    expect(token.value.reveal()).toBe(server.issued[0]);
  });

  it('honours Retry-After, capped at maxBackoffMs', async () => {
    const { server, provider, clock } = setup();
    server.replies.push({ kind: 'error', status: 503, body: {}, headers: { 'retry-after': '20' } });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_SERVER_UNAVAILABLE', retryAfterMs: 20_000 });
    clock.advance(19_000);
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_SERVER_UNAVAILABLE',
    });
    expect(server.tokenRequests).toHaveLength(1);
    clock.advance(1000);
    await expect(provider.getToken()).resolves.toMatchObject({ type: 'Bearer' });
  });

  it('fails fast on invalid_client, does not retry in a loop, and does not cache the failure for good', async () => {
    const { server, provider, clock } = setup();
    server.mode = 'invalid_client';
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLIENT_REJECTED' });
    clock.advance(5000);
    await settle();
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLIENT_REJECTED' });
    expect(server.tokenRequests).toHaveLength(1);
    server.mode = 'ok';
    clock.advance(5000); // rejectedCooldownMs (10 s) has passed
    await expect(provider.getToken()).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('maps other OAuth errors to ERR_OAUTH_REQUEST_REJECTED without the server text', async () => {
    const { server, provider } = setup();
    server.replies.push({
      kind: 'error',
      status: 400,
      body: { error: 'invalid_scope', error_description: 'secret-ish detail' },
    });
    const error = await provider.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_OAUTH_REQUEST_REJECTED' });
    expect((error as Error).message).not.toContain('secret-ish');
  });
});
