// The authorization server stops mid-run: calls keep succeeding with the cached token until its
// expiry (minus the skew margin), then fail with the typed error; once the server is back, the
// provider recovers without a restart. Real time, short tokens (4 s).
import { createTokenProvider, isOAuthError } from '@portcullis/oauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';

let oidc: OidcPeer;
beforeAll(async () => {
  oidc = await startOidc({ accessTokenTtlSec: 4 });
});
afterAll(() => oidc?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('serves the valid token through an outage, fails typed at expiry, recovers when the server returns', async () => {
  const tokens = createTokenProvider({
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.post.clientId,
    clientAuth: { method: 'client_secret_post', secret: OIDC_CLIENTS.post.secret },
    scope: 'orders:read',
    resource: OIDC_RESOURCE,
    allowInsecureHttp: true,
    timeoutMs: 1000,
    // 4 s tokens: the skew margin is capped at a quarter of the lifetime → served until 3 s.
    refresh: { initialBackoffMs: 100, maxBackoffMs: 400 },
  });
  const first = await tokens.getToken();
  const usableUntil = first.expiresAt - 1000;
  await oidc.stop();

  // Until the margin: every call succeeds with the held token, though refreshes fail behind it.
  let served = 0;
  while (Date.now() < usableUntil - 150) {
    const token = await tokens.getToken();
    expect(token).toBe(first);
    served++;
    await sleep(100);
  }
  expect(served).toBeGreaterThan(10);

  // Past it: no expired token is ever served; the error is typed.
  await sleep(Math.max(0, usableUntil - Date.now()) + 50);
  const error = await tokens.getToken().catch((e: unknown) => e);
  expect(isOAuthError(error, 'ERR_OAUTH_SERVER_UNAVAILABLE')).toBe(true);
  expect(Date.now()).toBeLessThan(first.expiresAt + 2000);

  // The server comes back: the next attempt after the backoff succeeds, no restart needed.
  oidc.resetCounts();
  await oidc.start();
  let recovered: Awaited<ReturnType<typeof tokens.getToken>> | undefined;
  for (let i = 0; i < 30 && recovered === undefined; i++) {
    recovered = await tokens.getToken().catch(() => undefined);
    if (recovered === undefined) await sleep(100);
  }
  expect(recovered).toBeDefined();
  expect(recovered?.fingerprint).not.toBe(first.fingerprint);
  expect(oidc.tokenRequests).toBe(1);
  tokens.close();
});
