import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { setup, T0 } from './setup.ts';

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
