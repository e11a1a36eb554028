import { nextRetryDelayMs, schedules } from '@portcullis/webhook-sender';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const base = {
  schedule: schedules.svix,
  jitter: 0.2,
  throttled: false,
  throttleBackoffMs: 60_000,
  retryAfterMs: undefined,
};

describe('nextRetryDelayMs', () => {
  it('walks the Svix schedule, then stops', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempts) =>
      nextRetryDelayMs({ ...base, attempts, random: () => 0.5 }),
    );
    expect(delays).toEqual(schedules.svix.slice(1));
    expect(nextRetryDelayMs({ ...base, attempts: 8, random: () => 0.5 })).toBeUndefined();
  });

  it('stays within ±jitter of the step; throttled waits ≥ the floor; Retry-After is a floor too (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.boolean(),
        fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
        (attempts, r, jitter, throttled, retryAfterMs) => {
          const delay = nextRetryDelayMs({
            ...base,
            attempts,
            jitter,
            throttled,
            retryAfterMs,
            random: () => r,
          }) as number;
          const step = schedules.svix[attempts] as number;
          const floor = Math.max(throttled ? 60_000 : 0, retryAfterMs ?? 0);
          expect(delay).toBeGreaterThanOrEqual(Math.max(Math.floor(step * (1 - jitter)), floor));
          expect(delay).toBeLessThanOrEqual(Math.max(Math.ceil(step * (1 + jitter)), floor));
        },
      ),
    );
  });

  it('a 429 after the immediate attempt waits 60 s, not 5 s', () => {
    expect(nextRetryDelayMs({ ...base, attempts: 1, throttled: true, random: () => 0.5 })).toBe(
      60_000,
    );
  });
});
