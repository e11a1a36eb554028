import { ManualClock } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { API, fakeServer, settle } from '../fakeServer.ts';
import { setup, T0 } from './setup.ts';

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
