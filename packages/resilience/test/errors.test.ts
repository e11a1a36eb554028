import { inspect } from 'node:util';
import { isPortcullisError } from '@portcullis/core';
import {
  createPipeline,
  isResilienceError,
  ResilienceError,
  withChaos,
} from '@portcullis/resilience';
import { describe, expect, it } from 'vitest';
import { clockAt } from './helpers.ts';

describe('ResilienceError', () => {
  it('has a stable code, a status, the Portcullis brand and its own guard', () => {
    const error = new ResilienceError('ERR_RESILIENCE_RATE_LIMITED', 'slow down', { retryAt: 5 });
    expect(error.status).toBe(429);
    expect(error.name).toBe('ResilienceError');
    expect(isPortcullisError(error, 'ERR_RESILIENCE_RATE_LIMITED')).toBe(true);
    expect(isResilienceError(error)).toBe(true);
    expect(isResilienceError(error, 'ERR_RESILIENCE_TIMEOUT')).toBe(false);
    expect(isResilienceError(new Error('x'))).toBe(false);
    expect(error.toJSON()).toEqual({
      name: 'ResilienceError',
      code: 'ERR_RESILIENCE_RATE_LIMITED',
      message: 'slow down',
      status: 429,
    });
  });

  it('a budget error keeps the failure as cause but its message names only the key', async () => {
    const clock = clockAt();
    const pipeline = createPipeline({
      clock,
      breaker: false,
      retry: { maxAttempts: 2, initialDelayMs: 0, maxDelayMs: 0 },
      retryBudget: { capacity: 10, retryCost: 10, timeoutCost: 10 },
    });
    const secretFailure = new Error('token=sk_live_123 rejected');
    const first = pipeline.execute(
      () => {
        throw secretFailure;
      },
      { key: 'k' },
    );
    await expect(first).rejects.toBe(secretFailure);
    const error = await pipeline
      .execute(
        () => {
          throw secretFailure;
        },
        { key: 'k' },
      )
      .catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_RETRY_BUDGET_EXHAUSTED')).toBe(true);
    expect((error as Error).message).not.toContain('sk_live');
    expect(JSON.stringify(error)).not.toContain('sk_live');
  });

  it('chaos faults are typed and say they were injected', async () => {
    const flaky = withChaos(async () => 'x', { faultRate: 1 });
    const error = await flaky().catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_CHAOS')).toBe(true);
    expect(inspect(error)).toContain('injected');
  });
});
