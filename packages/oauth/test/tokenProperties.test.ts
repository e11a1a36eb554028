import { ManualClock } from '@portcullis/core';
import { createTokenProvider, isOAuthError } from '@portcullis/oauth';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fakeServer, ISSUER, settle } from './fakeServer.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

describe('token response rules (property)', () => {
  it('whatever expires_in / refresh_in the server sends, no token is served past expiry minus the margin, and none is kept forever', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.constant(undefined),
          fc.double({ min: -10, max: 1e7, noNaN: true }),
          fc.integer({ min: 1, max: 7200 }),
          fc.integer({ min: 1, max: 7200 }).map(String),
          fc.constantFrom('abc', null, Number.POSITIVE_INFINITY),
        ),
        fc.option(fc.oneof(fc.double({ min: -10, max: 1e5, noNaN: true }), fc.string()), {
          nil: undefined,
        }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 8 }),
        async (expiresIn, refreshIn, jitter, steps) => {
          const clock = new ManualClock(T0);
          const server = fakeServer(clock);
          server.expiresIn = expiresIn as number | undefined;
          if (refreshIn !== undefined) {
            for (let i = 0; i < 20; i++)
              server.replies.push({ kind: 'token', body: { refresh_in: refreshIn } });
          }
          const provider = createTokenProvider({
            issuer: ISSUER,
            clientId: 'svc',
            clientAuth: { method: 'client_secret_post', secret: 's' },
            fetch: server.fetch,
            clock,
            random: () => jitter,
          });
          for (const step of steps) {
            const outcome = await provider.getToken().then(
              (token) => token,
              (error: unknown) => error,
            );
            if (isOAuthError(outcome)) {
              expect(outcome.code).toBe('ERR_OAUTH_INVALID_RESPONSE');
            } else {
              const token = outcome as Awaited<ReturnType<typeof provider.getToken>>;
              const lifetime = token.expiresAt - token.issuedAt;
              expect(lifetime).toBeGreaterThan(0);
              expect(lifetime).toBeLessThanOrEqual(86_400_000);
              const margin = Math.min(30_000, lifetime / 4);
              expect(clock.now()).toBeLessThan(token.expiresAt - margin);
            }
            clock.advance(step);
            await settle(2);
          }
          // Requests stay bounded by time, never a tight loop: at most one per backoff/refresh step.
          expect(server.tokenRequests.length).toBeLessThanOrEqual(steps.length * 3 + 1);
          provider.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
