// Each sharp edge of cockatiel 4 that our defaults must not inherit: first shown on raw cockatiel
// (so the test fails if cockatiel changes and the guard is no longer needed), then refused by ours.
import { createPipeline, isResilienceError } from '@portcullis/resilience';
import {
  ConsecutiveBreaker,
  ConstantBackoff,
  circuitBreaker,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
} from 'cockatiel';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { advance, clockAt, flush, noJitter, stateOf } from './helpers.ts';

const failingUntil = (n: number) => {
  let calls = 0;
  const fn = async (): Promise<string> => {
    calls++;
    if (calls <= n) throw new Error(`failure ${calls}`);
    return 'ok';
  };
  return { fn, calls: () => calls };
};

describe('cockatiel 4 sharp edges', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retry with no options retries for ever with no delay; ours stops at 3 calls with backoff', async () => {
    const raw = failingUntil(50);
    await expect(retry(handleAll, {}).execute(raw.fn)).resolves.toBe('ok');
    expect(raw.calls()).toBe(51);

    const clock = clockAt();
    const ours = failingUntil(50);
    const call = createPipeline({ clock, random: () => 1 }).execute(ours.fn);
    call.catch(() => {});
    await flush();
    expect(ours.calls()).toBe(1);
    await advance(clock, 1999);
    expect(ours.calls()).toBe(1); // the first backoff (2 s cap, jitter at its top) is really waited
    await advance(clock, 1);
    expect(ours.calls()).toBe(2);
    await advance(clock, 4000);
    await expect(call).rejects.toThrow('failure 3');
    expect(ours.calls()).toBe(3);
  });

  it('maxAttempts: 3 makes 4 calls in cockatiel; ours makes 3', async () => {
    const raw = failingUntil(10);
    await expect(retry(handleAll, { maxAttempts: 3 }).execute(raw.fn)).rejects.toThrow();
    expect(raw.calls()).toBe(4);

    const clock = clockAt();
    const ours = failingUntil(10);
    const call = createPipeline({ clock, retry: { maxAttempts: 3, ...noJitter } }).execute(ours.fn);
    call.catch(() => {});
    await advance(clock, 20_000, 500);
    await expect(call).rejects.toThrow('failure 3');
    expect(ours.calls()).toBe(3);
  });

  it('aborting during a backoff still waits out the delay in cockatiel; ours returns at once', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const raw = failingUntil(1);
    const rawCall = retry(handleAll, {
      maxAttempts: 2,
      backoff: new ConstantBackoff(10_000),
    }).execute(raw.fn, controller.signal);
    rawCall.catch(() => {});
    await flush();
    controller.abort();
    await vi.advanceTimersByTimeAsync(100);
    expect(await stateOf(rawCall)).toBe('pending');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await stateOf(rawCall)).not.toBe('pending');
    vi.useRealTimers();

    const clock = clockAt();
    const ours = failingUntil(1);
    const mine = new AbortController();
    const call = createPipeline({ clock, ...{ retry: { ...noJitter } } }).execute(ours.fn, {
      signal: mine.signal,
    });
    call.catch(() => {});
    await flush();
    expect(clock.pending).toBeGreaterThan(0);
    const reason = new Error('caller gave up');
    mine.abort(reason);
    await expect(call).rejects.toBe(reason);
    expect(ours.calls()).toBe(1);
  });

  it('callers queue behind a half-open probe in cockatiel; ours fail fast while it is out', async () => {
    vi.useFakeTimers();
    const raw = circuitBreaker(handleAll, {
      halfOpenAfter: 1000,
      breaker: new ConsecutiveBreaker(1),
    });
    await expect(raw.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    await vi.advanceTimersByTimeAsync(1000);
    let release: (v: string) => void = () => {};
    const probe = raw.execute(() => new Promise<string>((r) => (release = r)));
    const queued = raw.execute(() => 'second');
    await flush();
    expect(await stateOf(queued)).toBe('pending'); // waits on the probe instead of failing
    release('probe ok');
    await expect(probe).resolves.toBe('probe ok');
    await expect(queued).resolves.toBe('second');
    vi.useRealTimers();

    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      retry: false,
      breaker: { consecutiveFailures: 1, breakDurationMs: 1000 },
    });
    await expect(pipeline.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    clock.advance(1000);
    let releaseOurs: (v: string) => void = () => {};
    const ourProbe = pipeline.execute(() => new Promise<string>((r) => (releaseOurs = r)));
    await flush();
    const second = pipeline.execute(() => 'second');
    await expect(second).rejects.toSatisfy((e) =>
      isResilienceError(e, 'ERR_RESILIENCE_CIRCUIT_OPEN'),
    );
    releaseOurs('probe ok');
    await expect(ourProbe).resolves.toBe('probe ok');
    await expect(pipeline.execute(() => 'third')).resolves.toBe('third');
  });

  it("cockatiel's timeout aborts the signal after a successful call; ours never aborts a completed call", async () => {
    let rawSignal: AbortSignal | undefined;
    await timeout(1000, TimeoutStrategy.Cooperative).execute(({ signal }) => {
      rawSignal = signal;
      return 'done';
    });
    expect(rawSignal?.aborted).toBe(true); // a fetch body read after this would fail

    const clock = clockAt();
    let ours: AbortSignal | undefined;
    const value = await createPipeline({ clock }).execute(({ signal }) => {
      ours = signal;
      return 'done';
    });
    expect(value).toBe('done');
    clock.advance(60_000); // past every timeout
    expect(ours?.aborted).toBe(false);
  });
});
