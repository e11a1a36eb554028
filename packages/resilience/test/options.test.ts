import { fileURLToPath } from 'node:url';
import {
  chaosFetch,
  createBreakerRegistry,
  createPipeline,
  DEFAULTS,
  resilientFetch,
  withChaos,
} from '@portcullis/resilience';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('options', () => {
  it('the README defaults table matches DEFAULTS', () => {
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
  });

  it('DEFAULTS is frozen all the way down', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.retry)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.breaker)).toBe(true);
  });

  it.each([
    [{ totalTimeoutMs: '30s' }, 'ERR_INVALID_ARG_TYPE'],
    [{ totalTimeoutMs: 0 }, 'ERR_INVALID_ARG_VALUE'],
    [{ attemptTimeoutMs: Number.NaN }, 'ERR_INVALID_ARG_VALUE'],
    [{ attemptTimeoutMs: -1 }, 'ERR_INVALID_ARG_VALUE'],
    [{ retry: { maxAttempts: 0 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ retry: { maxAttempts: 1.5 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ retry: { jitter: 'some' } }, 'ERR_INVALID_ARG_VALUE'],
    [{ retry: 'yes' }, 'ERR_INVALID_ARG_TYPE'],
    [{ breaker: { failureRatio: 0 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ breaker: { failureRatio: 1.5 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ breaker: { minThroughput: 1 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ bulkhead: { maxConcurrent: 0 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ rateLimit: { ratePerSec: 0 } }, 'ERR_INVALID_ARG_VALUE'],
    [{ clock: {} }, 'ERR_INVALID_ARG_TYPE'],
  ])('refuses %j (%s)', (options, code) => {
    expect(codeOf(() => createPipeline(options as never))).toBe(code);
  });

  it('refuses an unknown key with a "did you mean"', () => {
    expect(() => createPipeline({ rety: 3 } as never)).toThrow(/Did you mean "retry"/);
    expect(() => createPipeline({ retry: { maxAttempt: 3 } } as never)).toThrow(
      /options\.retry\.maxAttempt.*Did you mean "maxAttempts"/,
    );
  });

  it('refuses settings that cannot work', () => {
    // a window shorter than two attempt timeouts forgets a hung call before it fails
    expect(() =>
      createPipeline({ attemptTimeoutMs: 10_000, breaker: { samplingWindowMs: 15_000 } }),
    ).toThrow(/samplingWindowMs.*at least twice attemptTimeoutMs/);
    expect(() => createPipeline({ totalTimeoutMs: 5000, attemptTimeoutMs: 6000 })).toThrow(
      /attemptTimeoutMs.*at most totalTimeoutMs/,
    );
    expect(() => createPipeline({ retry: { initialDelayMs: 20_000, maxDelayMs: 1000 } })).toThrow(
      /initialDelayMs/,
    );
    expect(() => createPipeline({ hedging: { delayMs: 10_000 } })).toThrow(/hedging\.delayMs/);
    expect(() => createPipeline({ retryBudget: { capacity: 4 } })).toThrow(/retryCost/);
    // with the breaker off, the window rule does not apply
    expect(() => createPipeline({ attemptTimeoutMs: 10_000, breaker: false })).not.toThrow();
  });

  it('resilientFetch, the registry and chaos validate theirs too', () => {
    expect(codeOf(() => resilientFetch(fetch, { drainTimeoutMs: 0 }))).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect(() => resilientFetch(fetch, { key: 'x' } as never)).toThrow(
      /Unknown option "options.key"/,
    );
    expect(() => resilientFetch('fetch' as never)).toThrow(TypeError);
    expect(() =>
      resilientFetch(fetch, { attemptTimeoutMs: 20_000, breaker: { samplingWindowMs: 30_000 } }),
    ).toThrow(/samplingWindowMs/);
    expect(codeOf(() => createBreakerRegistry({ breakDurationMs: 0 }))).toBe(
      'ERR_INVALID_ARG_VALUE',
    );
    expect(codeOf(() => withChaos(async () => 1, { faultRate: 2 }))).toBe('ERR_INVALID_ARG_VALUE');
    expect(() => withChaos(async () => 1, { status: 500 } as never)).toThrow(/Unknown option/);
    expect(codeOf(() => chaosFetch(fetch, { status: 99 }))).toBe('ERR_INVALID_ARG_VALUE');
  });
});
