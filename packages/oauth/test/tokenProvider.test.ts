import { inspect } from 'node:util';
import { ManualClock, redacted, type Telemetry } from '@portcullis/core';
import { createTokenProvider, isOAuthError, type TokenProviderOptions } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import {
  API,
  fakeServer,
  ISSUER,
  MTLS_TOKEN_ENDPOINT,
  settle,
  TOKEN_ENDPOINT,
} from './fakeServer.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

// `undefined` removes a default (e.g. `issuer: undefined` to test the explicit endpoint).
type Overrides = { [K in keyof TokenProviderOptions]?: TokenProviderOptions[K] | undefined };

function setup(overrides: Overrides = {}) {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock);
  const provider = createTokenProvider({
    issuer: ISSUER,
    clientId: 'svc',
    clientAuth: { method: 'client_secret_basic', secret: redacted('s3cret') },
    scope: 'read',
    fetch: server.fetch,
    clock,
    random: () => 0.5,
    refresh: { clockSkewMs: 10_000 },
    ...overrides,
  } as TokenProviderOptions);
  return { clock, server, provider };
}

describe('createTokenProvider: single flight and cache', () => {
  it('serves 1,000 concurrent callers with one token request', async () => {
    const { server, provider } = setup();
    const tokens = await Promise.all(Array.from({ length: 1000 }, () => provider.getToken()));
    expect(server.tokenRequests).toHaveLength(1);
    expect(new Set(tokens.map((t) => t.value.reveal())).size).toBe(1);
    expect(tokens[0]?.value.reveal()).toBe(server.issued[0]);
    expect(server.discoveryRequests).toBe(1);
  });

  it('serves the cached token without a request until the refresh window', async () => {
    const { server, provider, clock } = setup();
    const first = await provider.getToken();
    clock.advance(50_000);
    const again = await provider.getToken();
    expect(again).toBe(first);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('never shows the token when printed, and gives a safe fingerprint', async () => {
    const { provider, server } = setup();
    const token = await provider.getToken();
    const raw = server.issued[0] as string;
    for (const text of [
      String(token.value),
      JSON.stringify(token),
      inspect(token),
      `${token.value}`,
    ]) {
      expect(text).not.toContain(raw);
    }
    expect(JSON.stringify(token)).toContain('[REDACTED]');
    expect(token.fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(token.type).toBe('Bearer');
    expect(token.scopes).toEqual(['read']);
  });

  it('times the lifetime from when the request was sent', async () => {
    const { server, provider } = setup();
    server.latencyMs = 2000;
    const token = await provider.getToken();
    expect(token.issuedAt).toBe(T0);
    expect(token.expiresAt).toBe(T0 + 100_000);
  });

  it('keys the cache by sorted scopes, resource and audience', async () => {
    const { server, provider } = setup();
    const a = provider.handle({ scope: ['b', 'a'], resource: 'https://api.example.test' });
    const b = provider.handle({ scope: 'a b', resource: ['https://api.example.test'] });
    const c = provider.handle({ scope: 'a b', audience: 'other' });
    expect(b).toEqual(a);
    await Promise.all([a.getToken(), b.getToken(), c.getToken()]);
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.tokenRequests[0]?.body.get('scope')).toBe('a b');
    expect(server.tokenRequests[0]?.body.getAll('resource')).toEqual(['https://api.example.test']);
    expect(server.tokenRequests[1]?.body.get('audience')).toBe('other');
  });
});

describe('createTokenProvider: refresh ahead', () => {
  it('refreshes in the background in the window while callers keep the valid token', async () => {
    const { server, provider, clock } = setup();
    const first = await provider.getToken();
    expect(await provider.getToken()).toBe(first); // in use
    // random 0.5 → refresh when 25% of 100 s is left: at 75 s.
    clock.advance(76_000);
    await settle();
    expect(server.tokenRequests).toHaveLength(2);
    const second = await provider.getToken();
    expect(second.value.reveal()).not.toBe(first.value.reveal());
    expect(second.issuedAt).toBe(T0 + 75_000);
  });

  it('starts the refresh on the first call in the window when the timer did not (idle token)', async () => {
    const { server, provider, clock } = setup({ random: () => 0 });
    const first = await provider.getToken();
    clock.advance(85_000); // idle: the timer at 80 s skipped the refresh
    await settle();
    expect(server.tokenRequests).toHaveLength(1);
    const served = await provider.getToken();
    expect(served).toBe(first);
    await settle();
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('honours refresh_in from the server', async () => {
    const { server, provider, clock } = setup();
    server.replies.push({ kind: 'token', body: { refresh_in: 10 } });
    await provider.getToken();
    await provider.getToken(); // in use
    clock.advance(9_000);
    await settle();
    expect(server.tokenRequests).toHaveLength(1);
    clock.advance(1_500);
    await settle();
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('spreads refresh moments with jitter', async () => {
    const early = setup({ random: () => 0.999 });
    const late = setup({ random: () => 0 });
    for (let i = 0; i < 2; i++)
      await Promise.all([early.provider.getToken(), late.provider.getToken()]);
    for (const s of [early, late]) s.clock.advance(72_000);
    await settle();
    // Window is 70–80 s: the 0.999 draw refreshes at ~70 s, the 0 draw at 80 s.
    expect(early.server.tokenRequests).toHaveLength(2);
    expect(late.server.tokenRequests).toHaveLength(1);
  });

  it('forceRefresh gets a new token, still with one request for concurrent callers', async () => {
    const { server, provider } = setup();
    await provider.getToken();
    const forced = await Promise.all([
      provider.getToken({ forceRefresh: true }),
      provider.getToken({ forceRefresh: true }),
    ]);
    expect(server.tokenRequests).toHaveLength(2);
    expect(forced[0]).toBe(forced[1]);
  });
});

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

describe('createTokenProvider: client authentication', () => {
  it('client_secret_basic sends HTTP Basic, resolving the secret per request', async () => {
    let calls = 0;
    const { server, provider } = setup({
      clientAuth: {
        method: 'client_secret_basic',
        secret: async () => {
          calls++;
          return redacted('from-resolver');
        },
      },
    });
    await provider.getToken();
    const header = server.tokenRequests[0]?.headers.get('authorization') ?? '';
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
    expect(decodeURIComponent(decoded)).toBe('svc:from-resolver');
    expect(calls).toBe(1);
  });

  it('client_secret_post sends the secret in the body', async () => {
    const { server, provider } = setup({
      clientAuth: { method: 'client_secret_post', secret: 'p0st' },
    });
    await provider.getToken();
    expect(server.tokenRequests[0]?.body.get('client_secret')).toBe('p0st');
    expect(server.tokenRequests[0]?.body.get('grant_type')).toBe('client_credentials');
  });

  it('reports a failing secret resolver as ERR_OAUTH_CREDENTIAL_UNAVAILABLE', async () => {
    const { provider } = setup({
      clientAuth: {
        method: 'client_secret_basic',
        secret: () => {
          throw new Error('vault down');
        },
      },
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
    });
  });

  it('tls_client_auth uses the mTLS endpoint alias and sends only client_id (the certificate is the credential)', async () => {
    const { server, provider } = setup({ clientAuth: { method: 'tls_client_auth' } });
    await provider.getToken();
    const seen = server.tokenRequests[0]!;
    expect(seen.url).toBe(MTLS_TOKEN_ENDPOINT);
    expect(seen.body.get('client_id')).toBe('svc');
    expect(seen.body.get('client_secret')).toBeNull();
    expect(seen.headers.get('authorization')).toBeNull();
  });

  it('works with an explicit token endpoint (no discovery)', async () => {
    const { server, provider } = setup({ issuer: undefined, tokenEndpoint: TOKEN_ENDPOINT });
    await provider.getToken();
    expect(server.discoveryRequests).toBe(0);
    expect(server.tokenRequests).toHaveLength(1);
  });
});

describe('createTokenProvider: fetch wrapper', () => {
  it("calls the given fetch with a URL string and a plain init, never a Request (the undici package cannot read this realm's Request)", async () => {
    const clock = new ManualClock(T0);
    const server = fakeServer(clock);
    const seen: { input: unknown; headers: unknown; body: unknown; signal: unknown }[] = [];
    // Like `fetch` from the `undici` package (used for client certificates): a Request from
    // another realm is not recognised and is read as the URL "[object Request]".
    const foreignFetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (typeof input !== 'string' && !(input instanceof URL)) {
        throw new TypeError(`Failed to parse URL from ${String(input)}`);
      }
      seen.push({ input, headers: init?.headers, body: init?.body, signal: init?.signal });
      return server.fetch(input, init);
    }) as typeof fetch;
    const { provider } = setup({ fetch: foreignFetch });
    server.resourceStatuses = [401];
    const abort = new AbortController();
    const response = await provider.fetch(
      new Request(`${API}/orders`, { method: 'POST', body: 'payload', headers: { 'x-a': '1' } }),
      { signal: abort.signal },
    );
    expect(response.status).toBe(200);
    const api = seen.filter((s) => String(s.input).startsWith(API));
    expect(api.map((s) => s.input)).toEqual([`${API}/orders`, `${API}/orders`]);
    // Headers as plain pairs, the caller's signal, the body replayed on the retry.
    expect(api[0]?.headers).toEqual(
      expect.arrayContaining([
        ['x-a', '1'],
        ['authorization', `Bearer ${server.issued[0]}`],
      ]),
    );
    expect(api[1]?.signal).toBe(abort.signal);
    expect(server.resourceRequests.map((r) => r.body)).toEqual(['payload', 'payload']);
  });

  it('adds the Authorization header', async () => {
    const { server, provider } = setup();
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(200);
    expect(server.resourceRequests[0]?.headers.get('authorization')).toBe(
      `Bearer ${server.issued[0]}`,
    );
  });

  it('on 401 invalidates once, refreshes once and retries once, replaying the body', async () => {
    const { server, provider } = setup();
    server.resourceStatuses = [401];
    const response = await provider.fetch(`${API}/orders`, { method: 'POST', body: 'payload' });
    expect(response.status).toBe(200);
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.resourceRequests.map((r) => r.body)).toEqual(['payload', 'payload']);
    expect(server.resourceRequests[1]?.headers.get('authorization')).toBe(
      `Bearer ${server.issued[1]}`,
    );
  });

  it('returns the second 401 after one retry (no loop)', async () => {
    const { server, provider } = setup();
    server.resourceStatuses = [401, 401, 401, 401];
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(401);
    expect(server.resourceRequests).toHaveLength(2);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('concurrent 401s for one token cause one refresh', async () => {
    const { server, provider } = setup();
    await provider.getToken();
    server.resourceStatuses = [401, 401, 401];
    const responses = await Promise.all([1, 2, 3].map(() => provider.fetch(`${API}/orders`)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(server.tokenRequests).toHaveLength(2);
  });
  it('an API that always answers 401 costs one token request per minRefreshIntervalMs, not one per call', async () => {
    const { server, provider, clock } = setup({
      refresh: { clockSkewMs: 10_000, minRefreshIntervalMs: 5000 },
    });
    server.resourceStatuses = Array.from({ length: 20 }, () => 401);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await provider.fetch(`${API}/orders`)).status);
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 401));
    // The first call: one refresh and one retry; the nine others: the 401 as is.
    expect(server.tokenRequests).toHaveLength(2);
    expect(server.resourceRequests).toHaveLength(11);
    clock.advance(4999);
    await provider.fetch(`${API}/orders`);
    expect(server.tokenRequests).toHaveLength(2);
    clock.advance(1);
    await provider.fetch(`${API}/orders`);
    expect(server.tokenRequests).toHaveLength(3);
  });

  it('returns a 401 that came after a redirect as is, keeping the token (it may never have been sent there)', async () => {
    const clock = new ManualClock(T0);
    const server = fakeServer(clock);
    const redirecting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await server.fetch(input, init);
      if (!String(input).startsWith(API)) return response;
      // What fetch returns after following a redirect to another origin that refused the call.
      Object.defineProperty(response, 'redirected', { value: true });
      return response;
    }) as typeof fetch;
    const { provider } = setup({ fetch: redirecting });
    const token = await provider.getToken();
    server.resourceStatuses = [401];
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(401);
    expect(server.resourceRequests).toHaveLength(1);
    expect(server.tokenRequests).toHaveLength(1);
    expect(await provider.getToken()).toBe(token);
  });
});

describe('createTokenProvider: fetch wrapper and AbortSignal', () => {
  it("an abort while waiting for the token rejects with the signal's reason; the shared request goes on", async () => {
    const clock = new ManualClock(T0);
    const server = fakeServer(clock);
    // The token endpoint answers only after 2 s (of the manual clock).
    const gate = clock.sleep(2000);
    const { provider } = setup({
      fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
        if (String(input).endsWith('/token')) await gate;
        return server.fetch(input, init);
      }) as typeof fetch,
      clock,
    });
    const controller = new AbortController();
    let outcome: unknown = 'pending';
    provider.fetch(`${API}/orders`, { signal: controller.signal }).then(
      () => {
        outcome = 'resolved';
      },
      (error: unknown) => {
        outcome = error;
      },
    );
    await settle();
    expect(outcome).toBe('pending');
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await settle(5);
    expect(outcome).toBe(reason);
    expect(server.resourceRequests).toHaveLength(0);
    // Another caller still gets the token from the request that was under way.
    const other = provider.getToken();
    clock.advance(2000);
    await expect(other).resolves.toMatchObject({ type: 'Bearer' });
    expect(server.tokenRequests).toHaveLength(1);
    provider.close();
  });
});

describe('createTokenProvider: misc', () => {
  it('invalidate(token) ignores a token that is no longer held', async () => {
    const { server, provider } = setup();
    const first = await provider.getToken();
    await provider.invalidate(first);
    const second = await provider.getToken();
    await provider.invalidate(first);
    expect(await provider.getToken()).toBe(second);
    expect(server.tokenRequests).toHaveLength(2);
  });

  it('close() stops the provider', async () => {
    const { provider, clock } = setup();
    await provider.getToken();
    provider.close();
    expect(clock.pending).toBe(0);
    await expect(provider.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLOSED' });
  });

  it('counts requests, hits, refreshes and failures in telemetry', async () => {
    const counts = new Map<string, number>();
    const telemetry: Telemetry = {
      count: (name, value = 1) => counts.set(name, (counts.get(name) ?? 0) + value),
      record: () => {},
      span: (_n, fn) => fn(),
    };
    const { provider, server } = setup({ telemetry });
    for (let i = 0; i < 2000; i++) await provider.getToken();
    server.mode = 'down';
    await provider.getToken({ forceRefresh: true }).catch(() => {});
    expect(counts.get('portcullis.oauth.token_requests')).toBe(2);
    expect(counts.get('portcullis.oauth.refreshes')).toBe(2);
    expect(counts.get('portcullis.oauth.failures')).toBe(1);
    expect(counts.get('portcullis.oauth.cache_hits')).toBeGreaterThanOrEqual(1024);
  });

  it('refuses wrong arguments with TypeErrors', () => {
    const base = {
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 'x' },
    } as const;
    expect(() => createTokenProvider({ ...base, clientId: '' })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => createTokenProvider({ ...base, issuer: 'not a url' })).toThrow(TypeError);
    expect(() =>
      createTokenProvider({
        ...base,
        clientAuth: { method: 'nope' } as unknown as TokenProviderOptions['clientAuth'],
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => createTokenProvider({ ...base, refresh: { refreshAheadRatio: 2 } })).toThrow(
      TypeError,
    );
    expect(() => createTokenProvider({ ...base, extraParameters: { client_secret: 'x' } })).toThrow(
      TypeError,
    );
  });
});
