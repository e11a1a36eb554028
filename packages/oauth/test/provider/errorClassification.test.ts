import { isOAuthError, type OAuthError } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { settle } from '../fakeServer.ts';
import { rejection, setup } from './setup.ts';

describe('token endpoint answers that are not JSON are classified by their status', () => {
  it('429 text/plain with Retry-After: 120 makes the provider wait 120 s before asking again', async () => {
    // The server's wait is honoured up to refresh.maxBackoffMs: raised here past 120 s.
    const { server, provider, clock } = setup({ refresh: { maxBackoffMs: 300_000 } });
    server.replies.push({
      kind: 'raw',
      status: 429,
      body: 'Too Many Requests',
      headers: { 'content-type': 'text/plain', 'retry-after': '120' },
    });
    const error = (await rejection(provider.getToken())) as OAuthError;
    expect(isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')).toBe(true);
    expect(error.retryAfterMs).toBe(120_000);
    // A caller a second for 119 s: no new request.
    for (let i = 0; i < 119; i++) {
      clock.advance(1000);
      await provider.getToken().catch(() => {});
    }
    expect(server.tokenRequests).toHaveLength(1);
    clock.advance(1000);
    await expect(provider.getToken()).resolves.toBeDefined();
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('503 text/html from a gateway is a server outage, retried with backoff', async () => {
    const { server, provider } = setup();
    server.replies.push({
      kind: 'raw',
      status: 503,
      body: '<html><body>Service Unavailable</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const error = await rejection(provider.getToken());
    expect(isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')).toBe(true);
  });

  it('401 text/html from a gateway is a rejected client: not retried as a transient failure', async () => {
    const { server, provider, clock } = setup();
    server.mode = 'ok';
    for (let i = 0; i < 5; i++) {
      server.replies.push({
        kind: 'raw',
        status: 401,
        body: '<html>Unauthorized</html>',
        headers: { 'content-type': 'text/html' },
      });
    }
    const error = (await rejection(provider.getToken())) as OAuthError;
    expect(isOAuthError(error, 'ERR_OAUTH_CLIENT_REJECTED')).toBe(true);
    // Not retried on a backoff timer; callers get the error for the cool-down (10 s).
    expect(error.retryAfterMs).toBe(10_000);
    clock.advance(9000);
    await settle();
    await provider.getToken().catch(() => {});
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('400 text/plain is a rejected request, not an invalid response', async () => {
    const { server, provider } = setup();
    server.replies.push({ kind: 'raw', status: 400, body: 'Bad Request' });
    const error = await rejection(provider.getToken());
    expect(isOAuthError(error, 'ERR_OAUTH_REQUEST_REJECTED')).toBe(true);
  });

  it('a malformed Retry-After is ignored: the usual backoff applies', async () => {
    const { server, provider } = setup();
    server.replies.push({
      kind: 'raw',
      status: 429,
      body: 'slow down',
      headers: { 'retry-after': '120, 5' },
    });
    const error = (await rejection(provider.getToken())) as OAuthError;
    expect(isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')).toBe(true);
    // random 0.5, first failure: half jitter of 500 ms → 375 ms.
    expect(error.retryAfterMs).toBe(375);
  });
});
