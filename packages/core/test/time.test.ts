import { boundedCall, exponentialBackoffMs, ManualClock, parseRetryAfter } from '@portcullis/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

describe('exponentialBackoffMs', () => {
  const options = { initialMs: 100, maxMs: 1000 } as const;

  it('grows the cap by the multiplier up to maxMs', () => {
    const caps = [1, 2, 3, 4, 5, 6].map((n) =>
      exponentialBackoffMs(n, { ...options, jitter: 'none' }),
    );
    expect(caps).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(exponentialBackoffMs(2, { ...options, multiplier: 3, jitter: 'none' })).toBe(300);
  });

  it('full jitter spans [0, cap], half jitter [cap/2, cap]', () => {
    expect(exponentialBackoffMs(3, options, () => 0)).toBe(0);
    expect(exponentialBackoffMs(3, options, () => 0.999999)).toBe(400);
    expect(exponentialBackoffMs(3, { ...options, jitter: 'half' }, () => 0)).toBe(200);
    expect(exponentialBackoffMs(3, { ...options, jitter: 'half' }, () => 0.5)).toBe(300);
  });

  it('stays within bounds for any attempt and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -5, max: 5000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, r) => {
          const delay = exponentialBackoffMs(n, options, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(1000);
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-10-21T07:27:00Z');

  it('reads delay-seconds and IMF-fixdate, capped', () => {
    expect(parseRetryAfter('120', now, 300_000)).toBe(120_000);
    expect(parseRetryAfter(' 0 ', now, 300_000)).toBe(0);
    expect(parseRetryAfter('120', now, 60_000)).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now, 300_000)).toBe(60_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:00:00 GMT', now, 300_000)).toBe(0);
  });

  it.each([
    null,
    undefined,
    '',
    '-1',
    '1.5',
    '120, 5',
    'soon',
    '1e3',
    'Wednesday, 21-Oct-26 07:28:00 GMT',
    'Wed, 21 Oct 2026 07:28:00 PST',
    '99999999999',
  ])('ignores %j', (value) => {
    expect(parseRetryAfter(value, now, 300_000)).toBeUndefined();
  });

  it('never returns a negative, non-finite or over-cap value', () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 1_000_000 }), (text, cap) => {
        const ms = parseRetryAfter(text, now, cap);
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true);
          expect(ms).toBeGreaterThanOrEqual(0);
          expect(ms).toBeLessThanOrEqual(cap);
        }
      }),
    );
  });
});

describe('boundedCall', () => {
  it('resolves with the result when the work is in time', async () => {
    const clock = new ManualClock();
    const result = await boundedCall(async () => 7, {
      timeoutMs: 100,
      clock,
      onTimeout: () => new Error('late'),
    });
    expect(result).toBe(7);
    expect(clock.pending).toBe(0);
  });

  it('rejects on the injected clock, aborts the work, and hands a late result to onLateResult', async () => {
    const clock = new ManualClock();
    let finish: (v: string) => void = () => {};
    let innerSignal: AbortSignal | undefined;
    const late: string[] = [];
    const call = boundedCall(
      (signal) => {
        innerSignal = signal;
        return new Promise<string>((r) => {
          finish = r;
        });
      },
      {
        timeoutMs: 100,
        clock,
        onTimeout: () => new Error('timed out'),
        onLateResult: (v) => void late.push(v),
      },
    );
    clock.advance(99);
    await Promise.resolve();
    expect(innerSignal?.aborted).toBe(false);
    clock.advance(1);
    await expect(call).rejects.toThrow('timed out');
    expect(innerSignal?.aborted).toBe(true);
    finish('written');
    await new Promise((r) => setImmediate(r));
    expect(late).toEqual(['written']);
  });

  it("rejects at once with the caller's abort reason", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const call = boundedCall(() => new Promise<never>(() => {}), {
      timeoutMs: 100,
      clock,
      signal: controller.signal,
      onTimeout: () => new Error('late'),
    });
    controller.abort(new Error('caller gave up'));
    await expect(call).rejects.toThrow('caller gave up');
    expect(clock.pending).toBe(0);
    const already = boundedCall(async () => 1, {
      timeoutMs: 1,
      clock,
      signal: controller.signal,
      onTimeout: () => new Error(),
    });
    await expect(already).rejects.toThrow('caller gave up');
  });

  it('passes on a rejection of the work, and a synchronous throw', async () => {
    const clock = new ManualClock();
    await expect(
      boundedCall(async () => Promise.reject(new Error('boom')), {
        timeoutMs: 100,
        clock,
        onTimeout: () => new Error(),
      }),
    ).rejects.toThrow('boom');
    await expect(
      boundedCall(
        () => {
          throw new Error('sync');
        },
        { timeoutMs: 100, clock, onTimeout: () => new Error() },
      ),
    ).rejects.toThrow('sync');
  });
});
