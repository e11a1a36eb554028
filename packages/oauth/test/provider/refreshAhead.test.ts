import { describe, expect, it } from 'vitest';
import { settle } from '../fakeServer.ts';
import { setup, T0 } from './setup.ts';

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
