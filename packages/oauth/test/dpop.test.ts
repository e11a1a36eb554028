import { ManualClock, MemoryStore } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import {
  calculateJwkThumbprint,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
} from 'jose';
import { describe, expect, it } from 'vitest';
import { API, fakeServer, ISSUER, settle } from './fakeServer.ts';
import { spyStore, T0 } from './fleet/helpers.ts';

describe('DPoP', () => {
  it('sends a proof, retries once on use_dpop_nonce, and binds the resource call', async () => {
    const keyPair = await generateKeyPair('ES256', { extractable: true });
    const jkt = await calculateJwkThumbprint(await exportJWK(keyPair.publicKey));
    const server = fakeServer();
    server.replies.push(
      {
        kind: 'error',
        status: 400,
        body: { error: 'use_dpop_nonce' },
        headers: { 'dpop-nonce': 'n-1' },
      },
      { kind: 'token', body: { token_type: 'DPoP' } },
    );
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: keyPair,
      fetch: server.fetch,
    });
    const token = await provider.getToken();
    expect(token.type).toBe('DPoP');
    expect(server.tokenRequests).toHaveLength(2);
    const proofs = server.tokenRequests.map((r) => decodeJwt(r.headers.get('dpop')!));
    expect(proofs[0]?.nonce).toBeUndefined();
    expect(proofs[1]?.nonce).toBe('n-1');
    const header = decodeProtectedHeader(server.tokenRequests[1]!.headers.get('dpop')!);
    expect(header.typ).toBe('dpop+jwt');
    expect(await calculateJwkThumbprint(header.jwk!)).toBe(jkt);

    const response = await provider.fetch(`${API}/orders`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(200);
    const seen = server.resourceRequests[0]!;
    expect(seen.headers.get('authorization')).toBe(`DPoP ${server.issued[0]}`);
    const proof = decodeJwt(seen.headers.get('dpop')!);
    expect(proof).toMatchObject({ htm: 'POST', htu: `${API}/orders` });
    expect(typeof proof.ath).toBe('string');
    expect(seen.body).toBe('x');
  });

  it('refuses a Bearer token when DPoP was asked for (never sent without a proof)', async () => {
    const server = fakeServer();
    server.replies.push({ kind: 'token', body: { token_type: 'Bearer' } });
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: true,
      fetch: server.fetch,
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_RESPONSE',
      message: expect.stringContaining('not DPoP'),
    });
    await expect(provider.fetch(`${API}/orders`)).rejects.toMatchObject({
      code: 'ERR_OAUTH_INVALID_RESPONSE',
    });
    expect(server.resourceRequests).toHaveLength(0);
    provider.close();
  });

  it('with DPoP, a Bearer record in the fleet store is not adopted', async () => {
    const keyPair = await generateKeyPair('ES256', { extractable: true });
    const clock = new ManualClock(T0);
    const store = spyStore(new MemoryStore({ clock }));
    const server = fakeServer(clock);
    server.replies.push(
      { kind: 'token', body: { token_type: 'DPoP' } },
      { kind: 'token', body: { token_type: 'DPoP' } },
    );
    const make = () =>
      createTokenProvider({
        issuer: ISSUER,
        clientId: 'svc',
        clientAuth: { method: 'client_secret_post', secret: 's' },
        dpop: keyPair,
        fetch: server.fetch,
        clock,
        fleet: { store },
      });
    const a = make();
    expect((await a.getToken()).type).toBe('DPoP');
    const [key, raw] = store.writes.find(([k]) => k.endsWith(':token'))!;
    await store.set(key, JSON.stringify({ ...JSON.parse(raw), ty: 'Bearer' }), 60_000);
    const b = make();
    const token = await b.getToken();
    expect(token.type).toBe('DPoP');
    expect(server.tokenRequests).toHaveLength(2);
    for (const p of [a, b]) p.close();
  });

  it("an abort of the caller's signal rejects at once with its reason and cancels the request", async () => {
    const server = fakeServer();
    server.replies.push({ kind: 'token', body: { token_type: 'DPoP' } });
    const apiSignals: AbortSignal[] = [];
    // An API that never answers: only an abort ends the request.
    const slowApi = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (!String(input).startsWith(API)) return server.fetch(input, init);
      const signal = init?.signal as AbortSignal;
      apiSignals.push(signal);
      return new Promise<Response>((_, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }) as typeof fetch;
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: true,
      fetch: slowApi,
    });
    await provider.getToken();
    const controller = new AbortController();
    let outcome: unknown = 'pending';
    const call = provider.fetch(`${API}/orders`, { signal: controller.signal }).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    call.then((o) => {
      outcome = o;
    });
    // The proof is signed by Web Crypto on libuv's thread pool, which can take a while on a busy
    // machine: wait in real time (bounded at 5 s) for the request, not a fixed number of ticks.
    for (let i = 0; i < 500 && apiSignals.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(apiSignals).toHaveLength(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await settle(5);
    expect(outcome).toBe(reason);
    // The request itself was cancelled, not left running until openid-client's timeout.
    expect(apiSignals[0]?.aborted).toBe(true);
    // An already-aborted signal: no request at all.
    await expect(provider.fetch(`${API}/orders`, { signal: controller.signal })).rejects.toBe(
      reason,
    );
    expect(apiSignals).toHaveLength(1);
    provider.close();
  });

  it("answers a resource server's use_dpop_nonce challenge with one retry, without a new token", async () => {
    const server = fakeServer();
    server.replies.push({ kind: 'token', body: { token_type: 'DPoP' } });
    server.resourceStatuses = [
      {
        status: 401,
        headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'rs-1' },
      },
    ];
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'client_secret_post', secret: 's' },
      dpop: true,
      fetch: server.fetch,
    });
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(200);
    expect(server.resourceRequests).toHaveLength(2);
    expect(decodeJwt(server.resourceRequests[1]!.headers.get('dpop')!).nonce).toBe('rs-1');
    expect(server.tokenRequests).toHaveLength(1);
  });
});
