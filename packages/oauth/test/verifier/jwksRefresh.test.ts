import { ManualClock } from '@portcullis/core';
import { createAccessTokenVerifier } from '@portcullis/oauth';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUD, ISSUER, type Keys, makeKeys, NOW, sign } from './setup.ts';

let keys: Keys;
let rotated: Keys;
beforeAll(async () => {
  keys = await makeKeys('k1');
  rotated = await makeKeys('k2');
});

/** A JWKS endpoint whose answers the test controls: `hang` never answers. */
function endpoint() {
  const state = {
    calls: 0,
    hang: false,
    jwks: { keys: [keys.publicJwk] } as { keys: unknown[] },
  };
  const fetch = (async (_url: unknown, init?: RequestInit) => {
    state.calls++;
    if (state.hang) {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    }
    return Response.json(state.jwks);
  }) as typeof globalThis.fetch;
  return { state, fetch };
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T | 'timed out'> =>
  Promise.race([promise, new Promise<'timed out'>((r) => setTimeout(() => r('timed out'), ms))]);

describe('a hanging JWKS endpoint', () => {
  it('does not stall verification once keys are cached: cached keys answer, refresh runs behind', async () => {
    const { state, fetch } = endpoint();
    const verifier = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUD,
      jwksUri: `${ISSUER}/jwks`,
      fetch,
      jwksCacheMaxAgeMs: 1,
      jwksCooldownMs: 1,
      jwksTimeoutMs: 3000,
      clockToleranceSec: 10 ** 9,
    });
    await verifier.verify(await sign(keys));
    expect(state.calls).toBe(1);
    state.hang = true;
    await new Promise((r) => setTimeout(r, 20)); // past the (1 ms) max age and cooldown
    const token = await sign(keys);
    const results = await within(Promise.all([1, 2, 3].map(() => verifier.verify(token))), 500);
    expect(results).not.toBe('timed out');
    expect(state.calls).toBe(2); // one background refresh, not one per verify
  });

  it('a background refresh brings rotated keys in, on the injected clock', async () => {
    const clock = new ManualClock(NOW);
    const { state, fetch } = endpoint();
    const verifier = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUD,
      jwksUri: `${ISSUER}/jwks`,
      fetch,
      clock,
      jwksCacheMaxAgeMs: 60_000,
      jwksCooldownMs: 30_000,
    });
    await verifier.verify(await sign(keys));
    state.jwks = { keys: [keys.publicJwk, rotated.publicJwk] };
    clock.advance(30_000);
    await verifier.verify(await sign(keys));
    expect(state.calls).toBe(1); // still fresh
    clock.advance(31_000);
    await verifier.verify(await sign(keys)); // stale: answered from cache, refresh starts
    await new Promise((r) => setImmediate(r));
    expect(state.calls).toBe(2);
    await expect(verifier.verify(await sign(rotated))).resolves.toMatchObject({ sub: 'svc' });
    expect(state.calls).toBe(2);
  });

  it('an unknown kid waits for a fetch bounded by jwksTimeoutMs on the injected clock', async () => {
    const clock = new ManualClock(NOW);
    const { state, fetch } = endpoint();
    const verifier = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUD,
      jwksUri: `${ISSUER}/jwks`,
      fetch,
      clock,
      jwksTimeoutMs: 2000,
      jwksCooldownMs: 1000,
    });
    await verifier.verify(await sign(keys));
    state.hang = true;
    clock.advance(1000);
    const pending = verifier.verify(await sign(rotated)).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    clock.advance(2000);
    const error = (await pending) as { code?: string };
    expect(error.code).toBe('ERR_OAUTH_TOKEN_INVALID');
    // Known keys still verify at once while the endpoint hangs.
    await expect(verifier.verify(await sign(keys))).resolves.toMatchObject({ sub: 'svc' });
  });
});
