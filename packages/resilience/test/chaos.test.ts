import { chaosFetch, createPipeline, isResilienceError, withChaos } from '@portcullis/resilience';
import { describe, expect, it } from 'vitest';
import { advance, clockAt, flush, stateOf } from './helpers.ts';

describe('chaos', () => {
  it('withChaos injects latency that honours the attempt signal, then faults the pipeline retries', async () => {
    const clock = clockAt();
    const rolls = [0, 0.99, 0.99, 0.99]; // 1st call: delayed, not faulted; 2nd: neither
    const random = () => rolls.shift() ?? 0.99;
    let calls = 0;
    const slow = withChaos(
      async () => {
        calls++;
        return 'ok';
      },
      { latencyRate: 0.5, latencyMs: 5000, faultRate: 0.5, clock, random },
    );
    const call = createPipeline({
      clock,
      attemptTimeoutMs: 1000,
      breaker: false,
      retry: { initialDelayMs: 10, jitter: 'none' },
    }).execute(slow);
    await advance(clock, 1000);
    expect(calls).toBe(0); // the injected delay was cut by the attempt timeout
    await advance(clock, 20, 5);
    await expect(call).resolves.toBe('ok');
    expect(calls).toBe(1);
  });

  it('an injected fault is typed and counts as retryable', async () => {
    const clock = clockAt();
    let n = 0;
    const flaky = withChaos(async () => 'ok', {
      faultRate: 0.5,
      random: () => (n++ === 0 ? 0 : 0.9),
    });
    const call = createPipeline({
      clock,
      breaker: false,
      retry: { initialDelayMs: 10, jitter: 'none' },
    }).execute(flaky);
    await advance(clock, 20, 5);
    await expect(call).resolves.toBe('ok');
    await expect(withChaos(async () => 1, { faultRate: 1 })()).rejects.toSatisfy((e) =>
      isResilienceError(e, 'ERR_RESILIENCE_CHAOS'),
    );
  });

  it('chaosFetch answers with a synthetic status without calling fetch, or passes through', async () => {
    let reached = 0;
    const real: typeof fetch = async () => {
      reached++;
      return new Response('real');
    };
    const always = chaosFetch(real, { statusRate: 1, status: 502 });
    const response = await always('https://p.example/');
    expect(response.status).toBe(502);
    expect(response.headers.get('x-chaos')).toBe('injected');
    expect(reached).toBe(0);
    expect(await (await chaosFetch(real)('https://p.example/')).text()).toBe('real');
    expect(reached).toBe(1);
  });

  it('chaosFetch latency aborts with the request signal', async () => {
    const clock = clockAt();
    const slow = chaosFetch(async () => new Response('x'), {
      latencyRate: 1,
      latencyMs: 10_000,
      clock,
    });
    const controller = new AbortController();
    const call = slow('https://p.example/', { signal: controller.signal });
    await flush();
    expect(await stateOf(call)).toBe('pending');
    controller.abort(new Error('stop'));
    await expect(call).rejects.toThrow('stop');
  });
});
