import { rateLimitPauseMs } from '@portcullis/resilience';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const h = (init: Record<string, string>) => new Headers(init);

describe('rateLimitPauseMs', () => {
  it.each([
    [{ ratelimit: 'limit=100, remaining=0, reset=30' }, 30_000],
    [{ ratelimit: '"default";r=0;t=12' }, 12_000],
    [{ ratelimit: '"default";r=5;t=12' }, undefined],
    [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '7' }, 7000],
    [{ 'ratelimit-remaining': '3', 'ratelimit-reset': '7' }, undefined],
    [{ 'ratelimit-remaining': '0' }, undefined],
    [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '-7' }, undefined],
    [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '1e3' }, undefined],
    [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '9999999' }, undefined],
    [{ 'ratelimit-remaining': '0', 'ratelimit-reset': '600' }, 60_000],
    [{ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1767225600' }, undefined],
    [{}, undefined],
  ])('%j → %s', (headers, expected) => {
    expect(rateLimitPauseMs(h(headers), 60_000)).toBe(expected);
  });

  it('never throws, and any pause is whole seconds within [0, maxMs]', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        fc.integer({ min: 0, max: 1_000_000 }),
        (field, remaining, reset, maxMs) => {
          const headers = new Headers();
          try {
            headers.set('ratelimit', field);
            headers.set('ratelimit-remaining', remaining);
            headers.set('ratelimit-reset', reset);
          } catch {
            return; // not a legal header value: fetch would never hand it to us
          }
          const pause = rateLimitPauseMs(headers, maxMs);
          if (pause === undefined) return;
          expect(pause).toBeGreaterThanOrEqual(0);
          expect(pause).toBeLessThanOrEqual(maxMs);
          expect(pause === maxMs || pause % 1000 === 0).toBe(true);
        },
      ),
    );
  });

  it('reads back any remaining=0 / reset=n it is given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (n) => {
        expect(rateLimitPauseMs(h({ ratelimit: `remaining=0, reset=${n}` }), 1e9)).toBe(n * 1000);
        expect(rateLimitPauseMs(h({ ratelimit: `"p";r=0;t=${n}` }), 1e9)).toBe(n * 1000);
      }),
    );
  });
});
