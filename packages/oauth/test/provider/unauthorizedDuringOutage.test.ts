import { describe, expect, it } from 'vitest';
import { API } from '../fakeServer.ts';
import { setup } from './setup.ts';

describe('a resource server 401 while the authorization server is down', () => {
  it("keeps the held token for every other caller and returns the resource server's 401", async () => {
    const { server, provider } = setup();
    const first = await provider.getToken();
    server.mode = 'down';
    server.resourceStatuses = [401];
    const response = await provider.fetch(`${API}/orders`);
    // No new token could be had: the caller gets the resource server's own answer.
    expect(response.status).toBe(401);
    expect(server.tokenRequests).toHaveLength(2);
    // Every other caller keeps being served the still-valid token.
    await expect(provider.getToken()).resolves.toBe(first);
    const next = await provider.fetch(`${API}/orders`);
    expect(next.status).toBe(200);
    expect(server.resourceRequests.at(-1)?.headers.get('authorization')).toBe(
      `Bearer ${first.value.reveal()}`,
    );
  });

  it('replaces the token once a new one is obtained', async () => {
    const { server, provider } = setup();
    const first = await provider.getToken();
    server.resourceStatuses = [401];
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(200);
    const now = await provider.getToken();
    expect(now.value.reveal()).not.toBe(first.value.reveal());
    expect(server.resourceRequests.at(-1)?.headers.get('authorization')).toBe(
      `Bearer ${now.value.reveal()}`,
    );
  });

  it('a server that answers the refresh with the refused token again does not make it stick', async () => {
    const { server, provider } = setup();
    const first = await provider.getToken();
    server.resourceStatuses = [401];
    // The refresh returns the very token that was refused (same value, same expiry).
    server.replies.push({
      kind: 'token',
      body: { access_token: first.value.reveal(), expires_in: 100 },
    });
    const response = await provider.fetch(`${API}/orders`);
    expect(response.status).toBe(401);
    expect(server.resourceRequests).toHaveLength(1);
  });
});
