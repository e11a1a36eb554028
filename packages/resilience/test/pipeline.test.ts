import { createPipeline, isResilienceError } from '@portcullis/resilience';
import { describe, expect, it } from 'vitest';
import { advance, clockAt, flush, noJitter, recordingTelemetry, stateOf } from './helpers.ts';

const never = (): Promise<never> => new Promise(() => {});

describe('timeouts', () => {
  it('an attempt that hangs past attemptTimeoutMs fails with a retryable timeout and its signal aborts', async () => {
    const clock = clockAt();
    const signals: AbortSignal[] = [];
    const pipeline = createPipeline({
      clock,
      attemptTimeoutMs: 1000,
      breaker: { samplingWindowMs: 2000 },
      retry: { maxAttempts: 2, initialDelayMs: 100, ...noJitter },
    });
    const call = pipeline.execute(({ signal }) => {
      signals.push(signal);
      return never();
    });
    call.catch(() => {});
    await advance(clock, 1000);
    expect(signals[0]?.aborted).toBe(true);
    await advance(clock, 100);
    expect(signals).toHaveLength(2);
    await advance(clock, 1000);
    const error = await call.catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_TIMEOUT')).toBe(true);
    expect((error as { scope: string }).scope).toBe('attempt');
  });

  it('the total deadline bounds attempts and sleeps together', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      totalTimeoutMs: 2500,
      attemptTimeoutMs: 1000,
      breaker: false,
      retry: { maxAttempts: 10, initialDelayMs: 200, multiplier: 1, ...noJitter },
    });
    let calls = 0;
    const call = pipeline.execute(() => {
      calls++;
      return never();
    });
    call.catch(() => {});
    await advance(clock, 2500, 50);
    const error = await call.catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_TIMEOUT')).toBe(true);
    expect((error as { scope: string }).scope).toBe('total');
    expect(calls).toBe(3); // 0–1000, 1200–2200, 2400–2500 (cut by the deadline)
  });
});

describe('retry', () => {
  it('waits the exponential backoff between attempts (capped by maxDelayMs)', async () => {
    const clock = clockAt();
    const at: number[] = [];
    const start = clock.now();
    const pipeline = createPipeline({
      clock,
      totalTimeoutMs: 60_000,
      breaker: false,
      retry: { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 3000, ...noJitter },
    });
    const call = pipeline.execute(() => {
      at.push(clock.now() - start);
      throw new Error('x');
    });
    call.catch(() => {});
    await advance(clock, 20_000, 100);
    await expect(call).rejects.toThrow('x');
    expect(at).toEqual([0, 1000, 3000, 6000, 9000]);
  });

  it('a server-asked wait is a minimum delay, capped by maxRetryAfterMs', async () => {
    const clock = clockAt();
    const at: number[] = [];
    const start = clock.now();
    const pipeline = createPipeline<{ status: number; wait: number }>({
      clock,
      totalTimeoutMs: 60_000,
      breaker: false,
      retry: { maxAttempts: 3, initialDelayMs: 100, maxRetryAfterMs: 5000, ...noJitter },
      retryOn: (o) => o.ok && o.value.status === 429,
      retryAfterMs: (v) => v.wait,
    });
    const answers = [
      { status: 429, wait: 2000 },
      { status: 429, wait: 50_000 },
      { status: 200, wait: 0 },
    ];
    const call = pipeline.execute(() => {
      at.push(clock.now() - start);
      return answers.shift() as { status: number; wait: number };
    });
    await advance(clock, 10_000, 100);
    await expect(call).resolves.toEqual({ status: 200, wait: 0 });
    expect(at).toEqual([0, 2000, 7000]);
  });

  it('a wait that would reach the deadline ends the call with the last outcome, at once', async () => {
    const clock = clockAt();
    const discarded: unknown[] = [];
    const pipeline = createPipeline<{ status: number }>({
      clock,
      totalTimeoutMs: 10_000,
      attemptTimeoutMs: 1000,
      breaker: false,
      retry: { maxRetryAfterMs: 30_000 },
      retryOn: (o) => o.ok && o.value.status === 503,
      retryAfterMs: () => 20_000,
      discard: (v) => discarded.push(v),
    });
    await expect(pipeline.execute(() => ({ status: 503 }))).resolves.toEqual({ status: 503 });
    expect(discarded).toEqual([]);
  });

  it('values of retried attempts are discarded (so a response body is freed)', async () => {
    const clock = clockAt();
    const discarded: number[] = [];
    let n = 0;
    const pipeline = createPipeline<number>({
      clock,
      breaker: false,
      retry: { initialDelayMs: 10, ...noJitter },
      retryOn: (o) => o.ok && o.value < 3,
      discard: (v) => discarded.push(v),
    });
    const call = pipeline.execute(() => ++n);
    await advance(clock, 100, 10);
    await expect(call).resolves.toBe(3);
    expect(discarded).toEqual([1, 2]);
  });

  it('refusals and non-retryable errors are not retried; maxAttempts per call is capped', async () => {
    const clock = clockAt();
    let calls = 0;
    const pipeline = createPipeline({
      clock,
      breaker: false,
      retryOn: (o) => !o.ok && (o.error as Error).message === 'transient',
    });
    await expect(
      pipeline.execute(() => {
        calls++;
        throw new Error('fatal');
      }),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
    const once = pipeline.execute(
      () => {
        calls++;
        throw new Error('transient');
      },
      { maxAttempts: 1 },
    );
    await expect(once).rejects.toThrow('transient');
    expect(calls).toBe(2);
  });

  it('fallback turns a final failure into a value, but not the caller abort', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({ clock, retry: false });
    await expect(
      pipeline.execute(() => Promise.reject(new Error('down')), { fallback: () => 'cached' }),
    ).resolves.toBe('cached');
    const controller = new AbortController();
    const call = pipeline.execute(never, { signal: controller.signal, fallback: () => 'cached' });
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
  });
});

describe('retry budget', () => {
  it('caps retries across calls during an outage, then calls go out once each', async () => {
    const clock = clockAt();
    const t = recordingTelemetry();
    let calls = 0;
    const pipeline = createPipeline({
      clock,
      telemetry: t,
      breaker: false,
      retry: { maxAttempts: 3, initialDelayMs: 1, ...noJitter },
      retryBudget: { capacity: 20, retryCost: 5 },
    });
    const errors: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const call = pipeline.execute(() => {
        calls++;
        throw new Error('outage');
      });
      call.catch((e: unknown) => errors.push(e));
      await advance(clock, 10, 1);
    }
    expect(calls).toBe(5 + 4); // 20 tokens pay for 4 retries in all
    expect(
      errors.filter((e) => isResilienceError(e, 'ERR_RESILIENCE_RETRY_BUDGET_EXHAUSTED')),
    ).toHaveLength(3);
    expect(t.counts.get('portcullis.resilience.retry_budget.exhausted')).toBe(3);
    const exhausted = errors.at(-1) as Error;
    expect((exhausted.cause as Error).message).toBe('outage');
  });

  it('successes refill the budget', async () => {
    const clock = clockAt();
    let fail = true;
    const pipeline = createPipeline({
      clock,
      breaker: false,
      retry: { maxAttempts: 2, initialDelayMs: 1, ...noJitter },
      retryBudget: { capacity: 5, retryCost: 5, timeoutCost: 5, successRefund: 5 },
    });
    const first = pipeline.execute(() => {
      if (fail) {
        fail = false;
        throw new Error('blip');
      }
      return 'ok';
    });
    await advance(clock, 5, 1);
    await expect(first).resolves.toBe('ok'); // the retry's 5 tokens came back on success
    fail = true;
    const second = pipeline.execute(() => {
      if (fail) {
        fail = false;
        throw new Error('blip');
      }
      return 'ok';
    });
    await advance(clock, 5, 1);
    await expect(second).resolves.toBe('ok');
  });
});

describe('bulkhead, rate limit, throttling', () => {
  it('the bulkhead refuses past maxConcurrent + maxQueued at once', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({ clock, bulkhead: { maxConcurrent: 1, maxQueued: 1 } });
    let release: () => void = () => {};
    const first = pipeline.execute(() => new Promise<void>((r) => (release = r)));
    const queued = pipeline.execute(() => 'queued');
    await flush();
    const third = pipeline.execute(() => 'third');
    await expect(third).rejects.toSatisfy((e) =>
      isResilienceError(e, 'ERR_RESILIENCE_BULKHEAD_FULL'),
    );
    expect(await stateOf(queued)).toBe('pending');
    release();
    await first;
    await expect(queued).resolves.toBe('queued');
  });

  it('bulkheads are per key: a slow partner cannot take another partner’s slots', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({ clock, bulkhead: { maxConcurrent: 1 } });
    pipeline.execute(never, { key: 'slow' }).catch(() => {});
    await flush();
    await expect(pipeline.execute(() => 'x', { key: 'slow' })).rejects.toThrow(/bulkhead/);
    await expect(pipeline.execute(() => 'fine', { key: 'other' })).resolves.toBe('fine');
  });

  it('the token bucket refuses when empty, with retryAt; maxWaitMs waits for a token instead', async () => {
    const clock = clockAt();
    const strict = createPipeline({ clock, rateLimit: { ratePerSec: 2, burst: 1 } });
    await strict.execute(() => 1);
    const error = await strict.execute(() => 2).catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_RATE_LIMITED')).toBe(true);
    expect((error as { retryAt: number }).retryAt).toBe(clock.now() + 500);

    const patient = createPipeline({
      clock,
      rateLimit: { ratePerSec: 2, burst: 1, maxWaitMs: 1000 },
    });
    await patient.execute(() => 1);
    const waited = patient.execute(() => 2);
    expect(await stateOf(waited)).toBe('pending');
    await advance(clock, 500);
    await expect(waited).resolves.toBe(2);
  });

  it('adaptive throttling drops calls locally once requests outrun K × accepts', async () => {
    const clock = clockAt();
    let calls = 0;
    const pipeline = createPipeline({
      clock,
      retry: false,
      breaker: false,
      random: () => 0,
      adaptiveThrottling: { k: 2 },
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      await pipeline
        .execute(() => {
          calls++;
          throw new Error('overloaded');
        })
        .catch((e: unknown) => outcomes.push(isResilienceError(e) ? e.code : 'sent'));
    }
    expect(outcomes[0]).toBe('sent');
    expect(outcomes.slice(1).every((o) => o === 'ERR_RESILIENCE_THROTTLED')).toBe(true);
    expect(calls).toBe(1);
  });
});

describe('hedging', () => {
  it('a slow idempotent read gets a second call after delayMs; the first success wins, the loser is aborted', async () => {
    const clock = clockAt();
    const signals: AbortSignal[] = [];
    const discarded: string[] = [];
    const resolvers: ((v: string) => void)[] = [];
    const pipeline = createPipeline<string>({
      clock,
      hedging: { delayMs: 500 },
      discard: (v) => discarded.push(v),
    });
    const call = pipeline.execute(
      ({ signal }) => {
        signals.push(signal);
        return new Promise<string>((r) => resolvers.push(r));
      },
      { idempotent: true },
    );
    await advance(clock, 499);
    expect(signals).toHaveLength(1);
    await advance(clock, 1);
    expect(signals).toHaveLength(2);
    resolvers[1]?.('hedge');
    await expect(call).resolves.toBe('hedge');
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    resolvers[0]?.('late');
    await flush();
  });

  it('calls not marked idempotent are never hedged', async () => {
    const clock = clockAt();
    let calls = 0;
    const pipeline = createPipeline({ clock, hedging: { delayMs: 100 } });
    const call = pipeline.execute(() => {
      calls++;
      return new Promise((r) => setTimeout(r, 0, 'x'));
    });
    await advance(clock, 1000, 100);
    await call;
    expect(calls).toBe(1);
  });
});

describe('the caller signal', () => {
  it('an abort while queued in the bulkhead returns at once', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({ clock, bulkhead: { maxConcurrent: 1, maxQueued: 5 } });
    pipeline.execute(never).catch(() => {});
    await flush();
    const controller = new AbortController();
    const queued = pipeline.execute(() => 'x', { signal: controller.signal });
    await flush();
    expect(await stateOf(queued)).toBe('pending');
    controller.abort(new Error('gave up'));
    await expect(queued).rejects.toThrow('gave up');
  });

  it('a wait in the bulkhead queue ends at the total deadline, not when a slot frees', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      totalTimeoutMs: 1000,
      attemptTimeoutMs: 1000,
      retry: false,
      breaker: false,
      bulkhead: { maxConcurrent: 1, maxQueued: 2 },
    });
    pipeline.execute(never).catch(() => {});
    await flush();
    pipeline.execute(never).catch(() => {}); // queued first: gets the slot at 1000, holds it to 2000
    const last = pipeline.execute(() => 'late');
    last.catch(() => {});
    await advance(clock, 1000);
    const error = await last.catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_TIMEOUT')).toBe(true);
    expect((error as Error).message).toMatch(/bulkhead slot/);
  });

  it('an already-aborted signal makes no call', async () => {
    const clock = clockAt();
    let called = false;
    const controller = new AbortController();
    controller.abort(new Error('before'));
    const call = createPipeline({ clock }).execute(
      () => {
        called = true;
      },
      { signal: controller.signal },
    );
    await expect(call).rejects.toThrow('before');
    expect(called).toBe(false);
  });
});

describe('telemetry', () => {
  it('counts attempts and retries, wraps the call in a span and each backoff in a child span', async () => {
    const clock = clockAt();
    const t = recordingTelemetry();
    const spans: string[] = [];
    t.span = (name, fn, attributes) => {
      spans.push(`${name} ${JSON.stringify(attributes ?? {})}`);
      return fn();
    };
    let n = 0;
    const call = createPipeline({
      clock,
      telemetry: t,
      breaker: false,
      retry: { initialDelayMs: 100, jitter: 'none' },
    }).execute(
      () => {
        if (++n < 3) throw new Error('blip');
        return 'ok';
      },
      { key: 'partner' },
    );
    await advance(clock, 400, 50);
    await expect(call).resolves.toBe('ok');
    expect(t.counts.get('portcullis.resilience.attempts')).toBe(3);
    expect(t.counts.get('portcullis.resilience.retries')).toBe(2);
    expect(spans).toEqual([
      'portcullis.resilience.execute {"key":"partner"}',
      'portcullis.resilience.backoff {"key":"partner","attempt":1,"delay_ms":100}',
      'portcullis.resilience.backoff {"key":"partner","attempt":2,"delay_ms":200}',
    ]);
  });
});
