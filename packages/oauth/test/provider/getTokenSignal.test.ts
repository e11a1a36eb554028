import { describe, expect, it } from 'vitest';
import { settle } from '../fakeServer.ts';
import { rejection, setup } from './setup.ts';

describe('getToken({ signal })', () => {
  it("rejects at once with the signal's reason while the token request is pending", async () => {
    const { server, provider } = setup();
    server.latencyMs = 0;
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = rejection(provider.getToken({ signal: controller.signal }));
    controller.abort(reason);
    expect(await pending).toBe(reason);
    // The shared request goes on for the other callers.
    await settle();
    await expect(provider.getToken()).resolves.toBeDefined();
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('an already aborted signal rejects without a request, even with a token held', async () => {
    const { server, provider } = setup();
    await provider.getToken();
    const reason = new Error('aborted before');
    const error = await rejection(provider.getToken({ signal: AbortSignal.abort(reason) }));
    expect(error).toBe(reason);
    expect(server.tokenRequests).toHaveLength(1);
  });

  it('a signal that never aborts changes nothing', async () => {
    const { server, provider } = setup();
    const token = await provider.getToken({ signal: new AbortController().signal });
    expect(token.value.reveal()).toBe(server.issued[0]);
  });
});
