// @portcullis/ratelimit on a real redis-server: exact limits with several processes deciding at
// once, the Lua script against the in-memory algorithms, and the fallback when Redis stalls or
// dies (bounded by storeTimeoutMs on the real clock).
import { ManualClock } from '@portcullis/core';
import {
  createRateLimiter,
  isRateLimitError,
  MemoryRateLimitStore,
  RedisRateLimitStore,
} from '@portcullis/ratelimit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/ports.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { runWorker } from '../harness/worker.ts';
import { type Client, connectClient } from './redisClient.ts';
import type { LimitJob, LimitWorkerInput, LimitWorkerOutput } from './worker.ts';

let redis: RedisPeer;
let client: Client;
beforeAll(async () => {
  redis = await startRedis();
  client = await connectClient(redis.url);
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await redis?.stop();
});

let prefixes = 0;
const freshPrefix = (): string => `t${++prefixes}:`;

describe('exact across processes', () => {
  // A long window: nothing refills while the test runs (GCRA gives one back per 12 s).
  const rule = (algorithm: 'gcra' | 'sliding-window') => ({
    name: 'main',
    limit: 50,
    windowMs: 600_000,
    algorithm,
  });
  const jobs: LimitJob[] = [
    { key: 'partner-7', count: 40, keyPrefix: freshPrefix(), rules: [rule('gcra')] },
    { key: 'partner-7', count: 40, keyPrefix: freshPrefix(), rules: [rule('sliding-window')] },
    {
      key: 'k',
      count: 10,
      keyPrefix: freshPrefix(),
      rules: [
        { name: 'small', limit: 20, windowMs: 600_000, algorithm: 'gcra' },
        { name: 'large', limit: 25, windowMs: 600_000, algorithm: 'sliding-window' },
      ],
    },
  ];
  let outs: LimitWorkerOutput[][];
  beforeAll(async () => {
    const input: LimitWorkerInput = { url: redis.url, barrier: 'barrier', processes: 4, jobs };
    const script = new URL('./worker.ts', import.meta.url);
    // 4 processes, each firing every job's checks at once, all starting together.
    outs = await Promise.all(
      Array.from({ length: 4 }, () => runWorker<LimitWorkerOutput[]>(script, input)),
    );
  });
  const total = (job: number, field: keyof LimitWorkerOutput): number =>
    outs.reduce((n, o) => n + (o[job] as LimitWorkerOutput)[field], 0);

  it('gcra: 4 processes × 40 concurrent checks of one key, limit 50 → exactly 50 allowed', () => {
    expect(total(0, 'degraded')).toBe(0);
    expect([total(0, 'allowed'), total(0, 'refused')]).toEqual([50, 110]);
  });

  it('sliding window: 4 processes × 40 concurrent checks of one key, limit 50 → exactly 50 allowed', () => {
    expect(total(1, 'degraded')).toBe(0);
    expect([total(1, 'allowed'), total(1, 'refused')]).toEqual([50, 110]);
  });

  it('composed rules stay atomic across processes: a request refused by one rule is counted by none', async () => {
    expect([total(2, 'allowed'), total(2, 'refused')]).toEqual([20, 20]);
    // "large" counted only the 20 that passed: 5 were left, this check takes one.
    const limiter = createRateLimiter({
      rules: [{ name: 'large', limit: 25, windowMs: 600_000, algorithm: 'sliding-window' }],
      keyPrefix: jobs[2]?.keyPrefix as string,
      store: new RedisRateLimitStore({ client }),
    });
    expect((await limiter.check('k')).remaining).toBe(4);
  });
});

it('the Lua script decides exactly as the in-memory algorithms (random sequences, same clock)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        limit: fc.integer({ min: 1, max: 20 }),
        windowMs: fc.integer({ min: 1, max: 3000 }),
        algorithm: fc.constantFrom('gcra', 'sliding-window' as const),
        dryRun: fc.boolean(),
        gaps: fc.array(fc.oneof(fc.constant(0), fc.nat(400), fc.nat(5000)), {
          minLength: 1,
          maxLength: 40,
        }),
      }),
      async ({ limit, windowMs, algorithm, dryRun, gaps }) => {
        const clock = new ManualClock(1_767_225_600_000);
        const rules = [
          { name: 'a', limit, windowMs, algorithm },
          {
            name: 'b',
            limit: limit + 1,
            windowMs: windowMs * 2,
            mode: dryRun ? ('dry-run' as const) : ('live' as const),
          },
        ];
        const keyPrefix = freshPrefix();
        const onRedis = createRateLimiter({
          rules,
          clock,
          keyPrefix,
          store: new RedisRateLimitStore({ client, time: 'caller' }),
          storeTimeoutMs: 5000,
        });
        const inMemory = createRateLimiter({ rules, clock, store: new MemoryRateLimitStore() });
        for (const gap of gaps) {
          clock.advance(gap);
          const r = await onRedis.check('k');
          const m = await inMemory.check('k');
          expect(r.degraded).toBe(false);
          expect(r.rules).toEqual(m.rules);
          expect(r.allowed).toBe(m.allowed);
        }
      },
    ),
    { numRuns: 40 },
  );
});

describe('when Redis stalls or stops', () => {
  it('paused (SIGSTOP): the configured fallback answers within the bound, then Redis decides again', async () => {
    const limiter = createRateLimiter({
      limit: 3,
      windowMs: 60_000,
      keyPrefix: freshPrefix(),
      store: new RedisRateLimitStore({ client }),
      storeTimeoutMs: 150,
      storeRetryMs: 300,
    });
    expect((await limiter.check('k')).degraded).toBe(false);
    redis.pause();
    try {
      const started = performance.now();
      const d = await limiter.check('k');
      const took = performance.now() - started;
      expect(d.degraded).toBe('local');
      expect(d.allowed).toBe(true);
      expect(took).toBeGreaterThanOrEqual(140);
      expect(took).toBeLessThan(150 + 250);
      // Within storeRetryMs the store is not asked: the fallback answers at once, still limiting.
      const quick = performance.now();
      const more = [await limiter.check('k'), await limiter.check('k'), await limiter.check('k')];
      expect(performance.now() - quick).toBeLessThan(50);
      expect(more.map((x) => x.allowed)).toEqual([true, true, false]);
      expect(more[2]?.headers['Retry-After']).toBeDefined();
    } finally {
      redis.resume();
    }
    await waitFor(
      'Redis decides again',
      async () => (await limiter.check('r')).degraded === false,
      {
        timeoutMs: 5000,
        intervalMs: 100,
      },
    );
  });

  it("stopped: 'closed' refuses with a typed 503, 'open' allows; after a restart (script flushed) Redis decides", async () => {
    const store = new RedisRateLimitStore({ client });
    const keyPrefix = freshPrefix();
    const closed = createRateLimiter({
      limit: 5,
      windowMs: 60_000,
      keyPrefix,
      store,
      onStoreFailure: 'closed',
      storeTimeoutMs: 200,
      storeRetryMs: 0,
    });
    const open = createRateLimiter({
      limit: 5,
      windowMs: 60_000,
      keyPrefix,
      store,
      onStoreFailure: 'open',
      storeTimeoutMs: 200,
      storeRetryMs: 0,
    });
    expect((await closed.check('k')).degraded).toBe(false);
    await redis.stop();
    try {
      const started = performance.now();
      const error = await closed.enforce('k').catch((e: unknown) => e);
      expect(performance.now() - started).toBeLessThan(200 + 250);
      expect(isRateLimitError(error, 'ERR_RATE_LIMIT_UNAVAILABLE')).toBe(true);
      const d = await open.check('k');
      expect([d.allowed, d.degraded]).toEqual([true, 'open']);
    } finally {
      await redis.start();
    }
    await waitFor('client reconnected', async () => client.isReady, { timeoutMs: 5000 });
    // The new server has no script cached (NOSCRIPT → EVAL) and no counts (no persistence).
    const after = await closed.check('k');
    expect([after.allowed, after.degraded, after.remaining]).toEqual([true, false, 4]);
  });
});
