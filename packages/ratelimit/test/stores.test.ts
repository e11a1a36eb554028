import { createHash } from 'node:crypto';
import { ManualClock, StoreError } from '@portcullis/core';
import {
  createRateLimiter,
  MemoryRateLimitStore,
  type RedisCommandClient,
  RedisRateLimitStore,
} from '@portcullis/ratelimit';
import { describe, expect, it } from 'vitest';

describe('MemoryRateLimitStore', () => {
  it('holds at most maxKeys, forgetting the oldest key first', async () => {
    const clock = new ManualClock(1_767_225_600_000);
    const store = new MemoryRateLimitStore({ maxKeys: 2 });
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, store, clock });
    await limiter.check('a');
    await limiter.check('b');
    expect((await limiter.check('a')).allowed).toBe(false); // touches nothing: refused
    await limiter.check('c'); // evicts 'a' (least recently written)
    expect(store.size).toBe(2);
    expect((await limiter.check('b')).allowed).toBe(false);
    expect((await limiter.check('a')).allowed).toBe(true); // forgotten, starts afresh
  });

  it('drops expired entries and refuses a bad maxKeys', async () => {
    const clock = new ManualClock(1_767_225_600_000);
    const store = new MemoryRateLimitStore({ maxKeys: 1 });
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000, store, clock });
    await limiter.check('a');
    clock.advance(1000);
    expect((await limiter.check('a')).allowed).toBe(true);
    expect(() => new MemoryRateLimitStore({ maxKeys: 0 })).toThrow(/maxKeys/);
    expect(() => new MemoryRateLimitStore({ maxKeys: '1' as never })).toThrow(/maxKeys/);
  });
});

/** A fake node-redis client that records commands and answers from a script of replies. */
function fakeClient(answer: (args: readonly string[]) => unknown): RedisCommandClient & {
  sent: (readonly string[])[];
  signals: (AbortSignal | undefined)[];
} {
  const sent: (readonly string[])[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  return {
    sent,
    signals,
    async sendCommand(args, options) {
      sent.push(args);
      signals.push(options?.abortSignal);
      return answer(args);
    },
  };
}

class ErrorReply extends Error {}

const request = (now = 5000) => ({
  now,
  rules: [
    { key: 'rl:{k}:a', algorithm: 'gcra' as const, limit: 2, windowMs: 1000, enforced: true },
    {
      key: 'rl:{k}:b',
      algorithm: 'sliding-window' as const,
      limit: 5,
      windowMs: 1000,
      enforced: false,
    },
  ],
});

describe('RedisRateLimitStore (no server: the protocol it speaks)', () => {
  it('one command per decision: EVAL first, EVALSHA after; outcomes from the returned state', async () => {
    const client = fakeClient(() => [5000, -1, -1, -1, 5, 2, 0]);
    const store = new RedisRateLimitStore({ client, time: 'caller' });
    const first = await store.decide(request());
    await store.decide(request());
    expect(client.sent.map((a) => a[0])).toEqual(['EVAL', 'EVALSHA']);
    const source = client.sent[0]?.[1] as string;
    expect(client.sent[1]?.[1]).toBe(createHash('sha1').update(source).digest('hex'));
    expect(client.sent[1]?.slice(2)).toEqual([
      '2',
      'rl:{k}:a',
      'rl:{k}:b',
      '5000',
      '1',
      '2',
      '1000',
      '1',
      '2',
      '5',
      '1000',
      '0',
    ]);
    expect(first).toEqual([
      { allowed: true, remaining: 1, resetMs: 500, retryAfterMs: 0 },
      { allowed: true, remaining: 2, resetMs: 1000, retryAfterMs: 0 },
    ]);
  });

  it("time 'server' (default) sends no time: the script reads Redis TIME", async () => {
    const client = fakeClient(() => [5000, -1, -1, -1, -1, -1, -1]);
    await new RedisRateLimitStore({ client }).decide(request());
    expect(client.sent[0]?.[5]).toBe('');
  });

  it('NOSCRIPT (a restarted server): the script is sent again, in the same decide call', async () => {
    let calls = 0;
    const client = fakeClient((args) => {
      calls++;
      if (args[0] === 'EVALSHA') throw new ErrorReply('NOSCRIPT No matching script.');
      return [5000, -1, -1, -1, -1, -1, -1];
    });
    const store = new RedisRateLimitStore({ client, time: 'caller' });
    await store.decide(request());
    await store.decide(request());
    expect(calls).toBe(3);
    expect(client.sent.map((a) => a[0])).toEqual(['EVAL', 'EVALSHA', 'EVAL']);
  });

  it('failures and odd replies become StoreErrors with fixed messages; the abort signal is passed on', async () => {
    const down = new RedisRateLimitStore({
      client: fakeClient(() => {
        throw new Error('connect ECONNREFUSED redis://:pw@10.0.0.9');
      }),
    });
    const error = await down.decide(request()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).not.toContain('pw');
    for (const reply of ['OK', [1, 2], [5000, 'x', 1, 1, 1, 1, 1], null]) {
      const store = new RedisRateLimitStore({ client: fakeClient(() => reply) });
      await expect(store.decide(request())).rejects.toMatchObject({ code: 'ERR_STORE_CORRUPT' });
    }
    const client = fakeClient(() => [5000, -1, -1, -1, -1, -1, -1]);
    const signal = new AbortController().signal;
    await new RedisRateLimitStore({ client }).decide(request(), signal);
    expect(client.signals[0]).toBe(signal);
  });

  it('refuses a key with a lone surrogate (Redis would merge it with another) and bad options', async () => {
    const store = new RedisRateLimitStore({ client: fakeClient(() => []) });
    const bad = { ...request(), rules: [{ ...request().rules[0]!, key: 'rl:{\ud800}:a' }] };
    await expect(store.decide(bad)).rejects.toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
    expect(() => new RedisRateLimitStore({} as never)).toThrow(/client/);
    expect(
      () => new RedisRateLimitStore({ client: fakeClient(() => []), time: 'x' as never }),
    ).toThrow(/time/);
  });
});
