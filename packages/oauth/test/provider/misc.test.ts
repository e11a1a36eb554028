import type { Telemetry } from '@portcullis/core';
import { createTokenProvider, type TokenProviderOptions } from '@portcullis/oauth';
import { describe, expect, it } from 'vitest';
import { ISSUER } from '../fakeServer.ts';
import { setup } from './setup.ts';

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
