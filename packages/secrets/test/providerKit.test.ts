import { ManualClock } from '@portcullis/core';
import { isSecretsError, SecretsError } from '@portcullis/secrets';
import { type AttemptPolicy, attempt } from '@portcullis/secrets/provider-kit';
import { describe, expect, it } from 'vitest';

const label = { provider: 'test-vault', operation: 'GetSecret', secretName: 'webhook' };

function policy(clock: ManualClock, overrides: Partial<AttemptPolicy> = {}): AttemptPolicy {
  return {
    timeoutMs: 1_000,
    maxThrottleRetries: 2,
    backoff: { initialMs: 100, maxMs: 1_000 },
    clock,
    random: () => 1,
    ...overrides,
  };
}

const throttled = (retryAfterMs?: number) =>
  new SecretsError('ERR_SECRET_THROTTLED', 'test-vault: throttled.', {
    secretName: 'webhook',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
const unavailable = () =>
  new SecretsError('ERR_SECRET_PROVIDER_UNAVAILABLE', 'test-vault: failed.', {
    secretName: 'webhook',
  });

async function settle(
  clock: ManualClock,
  promise: Promise<unknown>,
  stepMs: number,
  steps: number,
) {
  const outcome = promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  for (let i = 0; i < steps; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(stepMs);
  }
  return outcome;
}

describe('provider-kit attempt', () => {
  it('retries throttling after the backoff, or the longer Retry-After, then succeeds', async () => {
    const clock = new ManualClock();
    const started: number[] = [];
    let calls = 0;
    const work = async () => {
      started.push(clock.now());
      calls++;
      if (calls === 1) throw throttled();
      if (calls === 2) throw throttled(700);
      return 'value';
    };
    const outcome = await settle(clock, attempt(label, policy(clock), unavailable, work), 50, 40);
    expect(outcome).toEqual({ value: 'value' });
    expect(started.length).toBe(3);
    // first retry waits the full-jitter backoff for attempt 1 (random 1 → up to 200 ms), the second
    // the 700 ms Retry-After, longer than its backoff.
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(100);
    expect(started[2]! - started[1]!).toBeGreaterThanOrEqual(700);
  });

  it('gives up after maxThrottleRetries and throws the throttling error', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const outcome = await settle(
      clock,
      attempt(label, policy(clock), unavailable, async () => {
        calls++;
        throw throttled();
      }),
      200,
      40,
    );
    expect(calls).toBe(3);
    expect(isSecretsError((outcome as { error: unknown }).error, 'ERR_SECRET_THROTTLED')).toBe(
      true,
    );
  });

  it('maps any other failure once, without a retry', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const outcome = await settle(
      clock,
      attempt(label, policy(clock), unavailable, async () => {
        calls++;
        throw new Error('socket hang up');
      }),
      100,
      5,
    );
    expect(calls).toBe(1);
    expect(
      isSecretsError((outcome as { error: unknown }).error, 'ERR_SECRET_PROVIDER_UNAVAILABLE'),
    ).toBe(true);
  });

  it('ends a call that does not answer within timeoutMs with a typed error naming the operation', async () => {
    const clock = new ManualClock();
    let aborted = false;
    const outcome = await settle(
      clock,
      attempt(label, policy(clock), unavailable, (signal) => {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
        return new Promise<never>(() => {});
      }),
      500,
      4,
    );
    const error = (outcome as { error: SecretsError }).error;
    expect(isSecretsError(error, 'ERR_SECRET_PROVIDER_UNAVAILABLE')).toBe(true);
    expect(error.message).toContain('GetSecret within 1000 ms');
    expect(aborted).toBe(true);
  });

  it("ends with the caller's abort reason", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const call = attempt(
      label,
      policy(clock),
      unavailable,
      async () => {
        throw throttled(10_000);
      },
      controller.signal,
    );
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(reason);
    await expect(call).rejects.toBe(reason);
  });
});

describe('provider-kit attemptPolicy and checkName', () => {
  it('fills the clock and random defaults, and keeps what is given', async () => {
    const { attemptPolicy, checkName } = await import('@portcullis/secrets/provider-kit');
    const { systemClock } = await import('@portcullis/core');
    const base = { timeoutMs: 5, maxThrottleRetries: 1, backoff: { initialMs: 1, maxMs: 2 } };
    expect(attemptPolicy(base)).toEqual({ ...base, clock: systemClock, random: Math.random });
    const clock = new ManualClock();
    const random = () => 0.5;
    expect(attemptPolicy({ ...base, clock, random })).toMatchObject({ clock, random });
    expect(() => checkName('')).toThrow(TypeError);
    expect(() => checkName(3, 'selector.versionId')).toThrow(/selector\.versionId/);
    expect(() => checkName('webhook')).not.toThrow();
  });
});
