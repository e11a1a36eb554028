import { inspect } from 'node:util';
import { ManualClock } from '@portcullis/core';
import {
  createRateLimiter,
  isRateLimitError,
  RateLimitError,
  type RateLimitStore,
} from '@portcullis/ratelimit';
import { describe, expect, it } from 'vitest';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const clockAt = (): ManualClock => new ManualClock(T0);

async function run(limiter: ReturnType<typeof createRateLimiter>, key: string, n: number) {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await limiter.check(key)).allowed);
  return out;
}

describe('GCRA', () => {
  it('allows a burst of `limit`, then one request per emission interval', async () => {
    const clock = clockAt();
    const limiter = createRateLimiter({ limit: 5, windowMs: 1000, clock });
    expect(await run(limiter, 'k', 6)).toEqual([true, true, true, true, true, false]);
    const refused = await limiter.check('k');
    expect(refused).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 200 });
    clock.advance(199);
    expect((await limiter.check('k')).allowed).toBe(false);
    clock.advance(1);
    expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 0 });
    clock.advance(1000);
    expect(await limiter.check('k')).toMatchObject({ allowed: true, remaining: 4, resetMs: 200 });
  });

  it('keeps keys apart', async () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, clock: clockAt() });
    expect(await run(limiter, 'a', 2)).toEqual([true, false]);
    expect(await run(limiter, 'b', 2)).toEqual([true, false]);
  });

  it('a limit whose interval is fractional (3 per 1000 ms) still allows exactly 3 in a burst', async () => {
    const clock = clockAt();
    const limiter = createRateLimiter({ limit: 3, windowMs: 1000, clock });
    expect(await run(limiter, 'k', 4)).toEqual([true, true, true, false]);
    clock.advance(333);
    expect((await limiter.check('k')).allowed).toBe(false);
    clock.advance(1);
    expect((await limiter.check('k')).allowed).toBe(true);
  });
});

describe('sliding window', () => {
  it('counts the previous window by its overlap', async () => {
    const clock = new ManualClock(T0); // T0 is a multiple of 1000: a window boundary
    const limiter = createRateLimiter({
      limit: 4,
      windowMs: 1000,
      algorithm: 'sliding-window',
      clock,
    });
    expect(await run(limiter, 'k', 5)).toEqual([true, true, true, true, false]);
    clock.advance(1500); // next window, half way: previous (4) weighs 2
    expect(await run(limiter, 'k', 3)).toEqual([true, true, false]);
    const refused = await limiter.check('k');
    // 4·(1000 − 500 − d)/1000 + 2 + 1 ≤ 4  ⇔  d ≥ 250
    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 250, resetMs: 500 });
    clock.advance(250);
    expect((await limiter.check('k')).allowed).toBe(true);
  });
});

describe('composed rules', () => {
  it('the tightest live rule decides; a refused request counts in no rule', async () => {
    const clock = clockAt();
    const limiter = createRateLimiter({
      clock,
      rules: [
        { name: 'burst', limit: 2, windowMs: 1000 },
        { name: 'minute', limit: 3, windowMs: 60_000, algorithm: 'sliding-window' },
      ],
    });
    const first = await limiter.check('k');
    expect(first).toMatchObject({ allowed: true, rule: 'burst', remaining: 1 });
    expect(first.rules.map((r) => [r.name, r.remaining])).toEqual([
      ['burst', 1],
      ['minute', 2],
    ]);
    await limiter.check('k');
    const refused = await limiter.check('k');
    expect(refused).toMatchObject({ allowed: false, rule: 'burst' });
    expect(refused.rules[1]).toMatchObject({ name: 'minute', allowed: true, remaining: 0 });
    clock.advance(1000);
    // The refused request was not counted by "minute": one request is still left there.
    const third = await limiter.check('k');
    expect(third).toMatchObject({ allowed: true, rule: 'minute', remaining: 0 });
    const fourth = await limiter.check('k');
    expect(fourth).toMatchObject({ allowed: false, rule: 'minute' });
    expect(fourth.headers['RateLimit-Policy']).toBe('"burst";q=2;w=1, "minute";q=3;w=60');
    expect(fourth.headers.RateLimit).toMatch(/^"minute";r=0;t=\d+$/);
  });

  it('a dry-run rule reports what it would refuse and never refuses', async () => {
    const limiter = createRateLimiter({
      clock: clockAt(),
      rules: [
        { name: 'current', limit: 10, windowMs: 1000 },
        { name: 'proposed', limit: 2, windowMs: 1000, mode: 'dry-run' },
      ],
    });
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await limiter.enforce('k'));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true]);
    expect(decisions.map((d) => d.dryRunRefusals)).toEqual([[], [], ['proposed'], ['proposed']]);
    expect(decisions[3]?.rule).toBe('current');
    // Dry-run rules are not advertised to clients.
    expect(decisions[3]?.headers['RateLimit-Policy']).toBe('"current";q=10;w=1');
  });

  it('only dry-run rules: always allowed, no headers', async () => {
    const limiter = createRateLimiter({
      limit: 1,
      windowMs: 1000,
      mode: 'dry-run',
      clock: clockAt(),
    });
    await limiter.check('k');
    const d = await limiter.check('k');
    expect(d.allowed).toBe(true);
    expect(d.dryRunRefusals).toEqual(['default']);
    expect(d.headers).toEqual({});
  });
});

describe('headers and errors', () => {
  it('IETF RateLimit / RateLimit-Policy structured fields and Retry-After in whole seconds', async () => {
    const limiter = createRateLimiter({
      name: 'api',
      limit: 2,
      windowMs: 90_000,
      clock: clockAt(),
    });
    const ok = await limiter.check('k');
    expect(ok.headers).toEqual({
      'RateLimit-Policy': '"api";q=2;w=90',
      RateLimit: '"api";r=1;t=45',
    });
    await limiter.check('k');
    const refused = await limiter.check('k');
    expect(refused.retryAfterMs).toBe(45_000);
    expect(refused.headers).toEqual({
      'RateLimit-Policy': '"api";q=2;w=90',
      RateLimit: '"api";r=0;t=90',
      'Retry-After': '45',
    });
  });

  it('enforce() throws a typed 429 that carries the headers and never shows the key', async () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1500, clock: clockAt() });
    const key = 'api-key-id-SECRET-ish-7f3a';
    await limiter.enforce(key);
    const error = await limiter.enforce(key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(isRateLimitError(error, 'ERR_RATE_LIMITED')).toBe(true);
    const e = error as RateLimitError;
    expect(e.status).toBe(429);
    expect(e.retryAfterSec).toBe(2);
    expect(e.headers['Retry-After']).toBe('2');
    expect(e.decision.allowed).toBe(false);
    expect(inspect(e, { depth: Number.POSITIVE_INFINITY })).not.toContain(key);
    expect(JSON.stringify(e)).not.toContain(key);
    expect(e.toJSON()).toEqual({
      name: 'RateLimitError',
      code: 'ERR_RATE_LIMITED',
      status: 429,
      message: 'Too many requests (rule "default"); retry after 2 s.',
    });
  });
});

describe('options', () => {
  const bad = (options: unknown) => () => createRateLimiter(options as never);
  it('refuses wrong types, values out of range and unknown keys', () => {
    expect(bad({ limit: '5', windowMs: 1000 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    for (const limit of [0, -1, Number.NaN, 1.5, 2_000_000]) {
      expect(bad({ limit, windowMs: 1000 })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
      );
    }
    expect(bad({ limit: 1, windowMs: 0 })).toThrow(/options\.windowMs/);
    expect(bad({ limit: 1, windowMs: 1000, storeTimeoutMs: 0 })).toThrow(/storeTimeoutMs/);
    expect(bad({ limit: 1, windowMs: 1000, onStoreFailure: 'fail' })).toThrow(/onStoreFailure/);
    expect(bad({ limit: 1, windowMs: 1000, algorithim: 'gcra' })).toThrow(
      /did you mean "algorithm"/i,
    );
    expect(bad({ windowMs: 1000 })).toThrow(/options\.limit/);
    expect(bad({ limit: 1 })).toThrow(/options\.windowMs/);
    expect(bad({ limit: 1, windowMs: 1, rules: [{ limit: 1, windowMs: 1 }] })).toThrow(/not both/);
    expect(bad({ rules: [] })).toThrow(/1 to 16/);
    expect(bad({ rules: [{ limit: 1, windowMs: 1, mode: 'shadow' }] })).toThrow(/rules\[0\]\.mode/);
    expect(
      bad({
        rules: [
          { name: 'a', limit: 1, windowMs: 1 },
          { name: 'a', limit: 2, windowMs: 1 },
        ],
      }),
    ).toThrow(/distinct/);
    for (const name of ['', 'quote"d', 'back\\slash', 'tab\t', 'é']) {
      expect(bad({ name, limit: 1, windowMs: 1000 })).toThrow(/options\.name/);
    }
    expect(bad({ limit: 1, windowMs: 1000, store: {} })).toThrow(/decide/);
  });

  it('names rules by position when unnamed and takes algorithm/mode from the top level', () => {
    const limiter = createRateLimiter({
      algorithm: 'sliding-window',
      mode: 'dry-run',
      rules: [
        { limit: 1, windowMs: 1000 },
        { limit: 2, windowMs: 1000, mode: 'live' },
      ],
    });
    expect(limiter.rules).toEqual([
      { name: 'rule1', limit: 1, windowMs: 1000, algorithm: 'sliding-window', mode: 'dry-run' },
      { name: 'rule2', limit: 2, windowMs: 1000, algorithm: 'sliding-window', mode: 'live' },
    ]);
  });

  it('refuses a key that is not a non-empty string', async () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000 });
    await expect(limiter.check('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    await expect(limiter.check(42 as never)).rejects.toMatchObject({
      code: 'ERR_INVALID_ARG_TYPE',
    });
  });
});

describe('when the store fails', () => {
  const failing = (): RateLimitStore & { calls: number } => ({
    calls: 0,
    decide() {
      this.calls++;
      return Promise.reject(new Error('ECONNREFUSED'));
    },
  });
  const hanging = (): RateLimitStore & { calls: number; signals: AbortSignal[] } => ({
    calls: 0,
    signals: [],
    decide(_request, signal) {
      this.calls++;
      if (signal) this.signals.push(signal);
      return new Promise(() => {});
    },
  });

  it("'local' (default): a per-process limiter keeps protecting", async () => {
    const store = failing();
    const limiter = createRateLimiter({ limit: 2, windowMs: 1000, store, clock: clockAt() });
    const ds = [await limiter.check('k'), await limiter.check('k'), await limiter.check('k')];
    expect(ds.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(ds.map((d) => d.degraded)).toEqual(['local', 'local', 'local']);
    expect(ds[2]?.headers['Retry-After']).toBe('1');
    // After the first failure the store is left alone for storeRetryMs (1000 ms).
    expect(store.calls).toBe(1);
  });

  it("'open' allows without counts; 'closed' refuses with a typed 503", async () => {
    const open = createRateLimiter({
      limit: 1,
      windowMs: 1000,
      store: failing(),
      onStoreFailure: 'open',
      clock: clockAt(),
    });
    const ds = [await open.check('k'), await open.check('k')];
    expect(ds.map((d) => [d.allowed, d.degraded])).toEqual([
      [true, 'open'],
      [true, 'open'],
    ]);
    expect(ds[0]?.headers).toEqual({ 'RateLimit-Policy': '"default";q=1;w=1' });

    const closed = createRateLimiter({
      limit: 1,
      windowMs: 1000,
      store: failing(),
      onStoreFailure: 'closed',
      clock: clockAt(),
    });
    const error = await closed.enforce('k').catch((e: unknown) => e);
    expect(isRateLimitError(error, 'ERR_RATE_LIMIT_UNAVAILABLE')).toBe(true);
    expect((error as RateLimitError).status).toBe(503);
    expect((error as RateLimitError).headers['Retry-After']).toBe('1');
  });

  it('a store slower than storeTimeoutMs: fallback at the bound, its call aborted', async () => {
    const clock = clockAt();
    const store = hanging();
    const limiter = createRateLimiter({
      limit: 5,
      windowMs: 1000,
      store,
      storeTimeoutMs: 50,
      storeRetryMs: 0,
      clock,
    });
    let settled: unknown;
    const pending = limiter.check('k').then((d) => {
      settled = d;
    });
    clock.advance(49);
    await Promise.resolve();
    expect(settled).toBeUndefined();
    clock.advance(1);
    await pending;
    expect(settled).toMatchObject({ allowed: true, degraded: 'local', remaining: 4 });
    expect(store.signals[0]?.aborted).toBe(true);
    // storeRetryMs 0: the next request asks the store again.
    const next = limiter.check('k');
    clock.advance(50);
    await next;
    expect(store.calls).toBe(2);
  });

  it('the store is asked again once storeRetryMs has passed', async () => {
    const clock = clockAt();
    const store = failing();
    const limiter = createRateLimiter({ limit: 5, windowMs: 1000, store, clock });
    await limiter.check('k');
    clock.advance(999);
    await limiter.check('k');
    expect(store.calls).toBe(1);
    clock.advance(1);
    await limiter.check('k');
    expect(store.calls).toBe(2);
  });

  it('a misuse TypeError from the store is thrown, not swallowed into a fallback', async () => {
    const store: RateLimitStore = {
      decide() {
        const e = new TypeError('bad key') as TypeError & { code: string };
        e.code = 'ERR_INVALID_ARG_VALUE';
        return Promise.reject(e);
      },
    };
    const limiter = createRateLimiter({ limit: 5, windowMs: 1000, store, clock: clockAt() });
    await expect(limiter.check('k')).rejects.toThrow('bad key');
  });
});
