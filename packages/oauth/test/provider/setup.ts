// The provider under test, wired to the fake servers and a ManualClock: no sockets, no real time.
import { ManualClock, redacted } from '@portcullis/core';
import { createTokenProvider, type TokenProviderOptions } from '@portcullis/oauth';
import { fakeServer, ISSUER } from '../fakeServer.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');

/** `undefined` removes a default (e.g. `issuer: undefined` to test the explicit endpoint). */
export type Overrides = { [K in keyof TokenProviderOptions]?: TokenProviderOptions[K] | undefined };

export function setup(overrides: Overrides = {}) {
  const clock = new ManualClock(T0);
  const server = fakeServer(clock);
  const options = {
    issuer: ISSUER,
    clientId: 'svc',
    clientAuth: { method: 'client_secret_basic', secret: redacted('s3cret') },
    scope: 'read',
    fetch: server.fetch,
    clock,
    random: () => 0.5,
    refresh: { clockSkewMs: 10_000 },
    ...overrides,
  } as TokenProviderOptions;
  for (const key of Object.keys(options) as (keyof TokenProviderOptions)[]) {
    if (options[key] === undefined) delete options[key];
  }
  const provider = createTokenProvider(options);
  return { clock, server, provider };
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}
