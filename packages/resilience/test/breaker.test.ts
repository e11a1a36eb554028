import { ManualClock } from '@portcullis/core';
import { createBreakerRegistry, createPipeline, isResilienceError } from '@portcullis/resilience';
import { describe, expect, it } from 'vitest';
import { clockAt, flush, recordingTelemetry } from './helpers.ts';

const fail = (): Promise<never> => Promise.reject(new Error('down'));

describe('circuit breaker', () => {
  it('opens after consecutiveFailures in a row and fails fast, without calling, with retryAt', async () => {
    const clock = clockAt();
    const transitions: string[] = [];
    const breakers = createBreakerRegistry({
      clock,
      consecutiveFailures: 3,
      breakDurationMs: 5000,
      onTransition: (t) => transitions.push(`${t.key}:${t.from}->${t.to}`),
    });
    const pipeline = createPipeline({ clock, retry: false, breakers });
    for (let i = 0; i < 3; i++) await pipeline.execute(fail, { key: 'a' }).catch(() => {});
    let called = false;
    const error = await pipeline
      .execute(
        () => {
          called = true;
        },
        { key: 'a' },
      )
      .catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(isResilienceError(error, 'ERR_RESILIENCE_CIRCUIT_OPEN')).toBe(true);
    expect((error as { retryAt: number }).retryAt).toBe(clock.now() + 5000);
    expect((error as { status: number }).status).toBe(503);
    expect(transitions).toEqual(['a:closed->open']);
    // another key is unaffected
    await expect(pipeline.execute(() => 'ok', { key: 'b' })).resolves.toBe('ok');
  });

  it('a success resets the consecutive count', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({ clock, retry: false, breaker: { consecutiveFailures: 2 } });
    await pipeline.execute(fail).catch(() => {});
    await pipeline.execute(() => 'ok');
    await pipeline.execute(fail).catch(() => {});
    expect(pipeline.breakers?.get('default').state).toBe('closed');
  });

  it('opens on the failure ratio over the window only once minThroughput calls were seen', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      retry: false,
      breaker: {
        consecutiveFailures: 0,
        failureRatio: 0.5,
        minThroughput: 10,
        samplingWindowMs: 30_000,
      },
    });
    const breaker = pipeline.breakers?.get('default');
    for (let i = 0; i < 4; i++) {
      await pipeline.execute(() => 'ok');
      await pipeline.execute(fail).catch(() => {});
    }
    expect(breaker?.state).toBe('closed'); // 8 calls: below minThroughput
    await pipeline.execute(() => 'ok');
    await pipeline.execute(fail).catch(() => {});
    expect(breaker?.state).toBe('open'); // 10 calls, 5 failed
  });

  it('failures older than the sampling window are forgotten', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      retry: false,
      breaker: {
        consecutiveFailures: 0,
        failureRatio: 0.5,
        minThroughput: 4,
        samplingWindowMs: 20_000,
      },
    });
    await pipeline.execute(fail).catch(() => {});
    await pipeline.execute(fail).catch(() => {});
    clock.advance(25_000);
    await pipeline.execute(() => 'ok');
    await pipeline.execute(() => 'ok');
    await pipeline.execute(fail).catch(() => {});
    await pipeline.execute(() => 'ok');
    expect(pipeline.breakers?.get('default').state).toBe('closed');
  });

  it('half-open: one probe; its failure reopens for a full break, its success closes', async () => {
    const clock = clockAt();
    const t = recordingTelemetry();
    const pipeline = createPipeline({
      clock,
      telemetry: t,
      retry: false,
      breaker: { consecutiveFailures: 1, breakDurationMs: 1000 },
    });
    const breaker = pipeline.breakers?.get('default');
    await pipeline.execute(fail).catch(() => {});
    expect(breaker?.state).toBe('open');
    clock.advance(1000);
    expect(breaker?.state).toBe('half-open');
    await pipeline.execute(fail).catch(() => {});
    expect(breaker?.state).toBe('open');
    expect(breaker?.openUntil).toBe(clock.now() + 1000);
    clock.advance(1000);
    await expect(pipeline.execute(() => 'probe')).resolves.toBe('probe');
    expect(breaker?.state).toBe('closed');
    expect(
      t.events.filter((e) => e.startsWith('portcullis.resilience.breaker.transitions')),
    ).toEqual([
      'portcullis.resilience.breaker.transitions {"key":"default","from":"closed","to":"open"}',
      'portcullis.resilience.breaker.transitions {"key":"default","from":"open","to":"half-open"}',
      'portcullis.resilience.breaker.transitions {"key":"default","from":"half-open","to":"open"}',
      'portcullis.resilience.breaker.transitions {"key":"default","from":"open","to":"half-open"}',
      'portcullis.resilience.breaker.transitions {"key":"default","from":"half-open","to":"closed"}',
    ]);
  });

  it('a probe refused by the bulkhead gives its permit back (the next caller probes)', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      retry: false,
      breaker: { consecutiveFailures: 1, breakDurationMs: 1000 },
      bulkhead: { maxConcurrent: 1 },
    });
    let release: (v: string) => void = () => {};
    const hanging = pipeline.execute(() => new Promise<string>((r) => (release = r)), { key: 'k' });
    await flush();
    pipeline.breakers?.get('k').isolate(1000);
    clock.advance(1000);
    await expect(pipeline.execute(() => 'x', { key: 'k' })).rejects.toSatisfy((e) =>
      isResilienceError(e, 'ERR_RESILIENCE_BULKHEAD_FULL'),
    );
    release('done');
    await hanging;
    await expect(pipeline.execute(() => 'probe', { key: 'k' })).resolves.toBe('probe');
    expect(pipeline.breakers?.get('k').state).toBe('closed');
  });

  it('an attempt timeout counts as a failure', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      retry: false,
      attemptTimeoutMs: 100,
      breaker: { consecutiveFailures: 1, samplingWindowMs: 1000 },
    });
    const call = pipeline.execute(() => new Promise(() => {}));
    await flush();
    clock.advance(100);
    await expect(call).rejects.toThrow(/100 ms/);
    expect(pipeline.breakers?.get('default').state).toBe('open');
  });
});

describe('breaker registry state export and import', () => {
  it('an open partner stays open across a restart; a half-open one probes again', async () => {
    const clock = clockAt();
    const before = createBreakerRegistry({ clock, consecutiveFailures: 1, breakDurationMs: 5000 });
    before.get('dead.example').record(false, true);
    before.get('alive.example').record(false, false);
    const saved = JSON.parse(JSON.stringify(before.exportState()));
    expect(saved['dead.example']).toEqual({
      state: 'open',
      openUntil: clock.now() + 5000,
      consecutiveFailures: 0,
    });
    clock.advance(1000);
    const after = createBreakerRegistry({ clock, consecutiveFailures: 1, breakDurationMs: 5000 });
    after.importState(saved);
    expect(after.states()).toEqual({ 'dead.example': 'open', 'alive.example': 'closed' });
    expect(() => after.get('dead.example').acquire()).toThrow(/open/);
    clock.advance(4000);
    expect(after.get('dead.example').acquire()).toBe(true); // the probe
  });

  it('a snapshot from a clock far ahead cannot park a partner for longer than one break', () => {
    const clock = new ManualClock(1_000_000);
    const registry = createBreakerRegistry({ clock, breakDurationMs: 5000 });
    registry.importState({
      p: { state: 'open', openUntil: 9_999_999_999, consecutiveFailures: 0 },
    });
    expect(registry.get('p').openUntil).toBe(1_005_000);
  });

  it('garbage in a snapshot is ignored per key, a non-object refused', () => {
    const registry = createBreakerRegistry();
    registry.importState({ p: null as never, q: { state: 'open' } as never });
    expect(registry.states()).toEqual({ p: 'closed', q: 'closed' });
    expect(() => registry.importState('x' as never)).toThrow(TypeError);
  });
});
