import { ManualClock, redacted } from '@portcullis/core';
import { isSecretsError, type SecretsError } from '@portcullis/secrets';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AWS_THROTTLING, GATEWAY_HTML, tooManyRequests } from '../harness/faultProxy.ts';
import { waitFor } from '../harness/ports.ts';
import {
  type AwsPeers,
  createSecret,
  expectNoSecretIn,
  provider,
  recordingClock,
  startAwsPeers,
  uniqueName,
} from './peers.ts';

const VALUE = 'hunter2-value-must-not-leak-5e0c';
let peers: AwsPeers;
let name: string;
beforeAll(async () => {
  peers = await startAwsPeers();
  name = uniqueName('faults');
  await createSecret(peers, name, VALUE);
});
afterEach(() => {
  peers.proxy.clear();
  peers.proxy.resetCounts();
});
afterAll(async () => {
  await peers?.stop();
});

async function failure(promise: Promise<unknown>): Promise<SecretsError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  if (!isSecretsError(error)) throw error;
  return error;
}

function awsError(type: string, status = 400, message = 'refused') {
  return {
    kind: 'respond' as const,
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

describe('AwsSecretsManagerProvider under faults (fault proxy in front of moto)', () => {
  it('retries 400 ThrottlingException with full-jitter backoff, then serves the value', async () => {
    const clock = recordingClock();
    const p = provider(peers, {
      clock,
      random: () => 0.5,
      backoff: { initialMs: 100, maxMs: 1000 },
    });
    peers.proxy.inject(AWS_THROTTLING, AWS_THROTTLING);
    const version = await p.get(name);
    expect(version.value.reveal()).toBe(VALUE);
    expect(peers.proxy.requests).toBe(3);
    expect(clock.sleeps).toEqual([50, 100]); // half of the caps 100 and 200 (random 0.5)
  });

  it('gives up after maxThrottleRetries with ERR_SECRET_THROTTLED (transient)', async () => {
    const clock = recordingClock();
    const p = provider(peers, { clock, maxThrottleRetries: 2 });
    peers.proxy.always(AWS_THROTTLING);
    const error = await failure(p.get(name));
    expect(error.code).toBe('ERR_SECRET_THROTTLED');
    expect(error.transient).toBe(true);
    expect(peers.proxy.requests).toBe(3);
    expectNoSecretIn(error, VALUE);
  });

  it('honours Retry-After on a 429 TooManyRequestsException when it is longer than the backoff', async () => {
    const clock = recordingClock();
    const p = provider(peers, { clock, random: () => 0 });
    peers.proxy.inject(tooManyRequests(2));
    expect((await p.get(name)).value.reveal()).toBe(VALUE);
    expect(clock.sleeps).toEqual([2000]);
  });

  it('a reset connection, a 502 HTML page and a 500 InternalServiceError are UNAVAILABLE, not retried', async () => {
    const p = provider(peers, { clock: recordingClock() });
    for (const fault of [
      { kind: 'reset' as const },
      GATEWAY_HTML,
      awsError('InternalServiceError', 500),
    ]) {
      peers.proxy.resetCounts();
      peers.proxy.inject(fault);
      const error = await failure(p.get(name));
      expect(error.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
      expect(peers.proxy.requests).toBe(1);
      expectNoSecretIn(error, VALUE);
    }
  });

  it('a hung server ends in ERR_SECRET_PROVIDER_UNAVAILABLE at timeoutMs on the injected clock', async () => {
    const clock = new ManualClock(Date.parse('2026-12-03T09:00:00Z'));
    const p = provider(peers, { clock, timeoutMs: 3000 });
    peers.proxy.always({ kind: 'hang' });
    const pending = failure(p.get(name));
    await waitFor('the request to reach the proxy', async () => peers.proxy.requests >= 1);
    clock.advance(2999);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    clock.advance(1);
    const error = await pending;
    expect(error.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    expect(error.message).toContain('3000 ms');
    expect(peers.proxy.requests).toBe(1);
  });

  it('maps AccessDeniedException and DecryptionFailure to ERR_SECRET_ACCESS_DENIED, at once', async () => {
    const p = provider(peers, { clock: recordingClock() });
    for (const type of ['AccessDeniedException', 'DecryptionFailure']) {
      peers.proxy.resetCounts();
      peers.proxy.inject(awsError(type));
      const error = await failure(p.get(name));
      expect(error.code).toBe('ERR_SECRET_ACCESS_DENIED');
      expect(error.transient).toBe(false);
      expect(error.message).toContain(type);
      expect(peers.proxy.requests).toBe(1);
    }
  });

  it('a caller abort ends the call with the caller’s reason', async () => {
    const p = provider(peers);
    peers.proxy.always({ kind: 'hang' });
    const controller = new AbortController();
    const pending = p.get(name, {}, { signal: controller.signal });
    await waitFor('the request to reach the proxy', async () => peers.proxy.requests >= 1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('no value in any error: a failed put whose service message echoes the value', async () => {
    const p = provider(peers, { clock: recordingClock() });
    const secret = 'rotated-value-must-not-leak-91ab';
    const bytes = Uint8Array.from([7, 7, 7, 1, 2, 3, 250, 251]);
    const base64 = Buffer.from(bytes).toString('base64');
    peers.proxy.inject(
      awsError('InvalidRequestException', 400, `bad SecretString ${secret}`),
      awsError('InvalidRequestException', 400, `bad SecretBinary ${base64}`),
      { kind: 'reset' },
    );
    const text = await failure(
      p.putVersion(name, redacted(secret), { token: 'tok-leak', stage: 'pending' }),
    );
    expect(text.code).toBe('ERR_SECRET_INVALID');
    expect(String((text.cause as Error).message)).toContain('[REDACTED]');
    expectNoSecretIn(text, secret, VALUE);
    const binary = await failure(
      p.putVersion(name, redacted(bytes), { token: 'tok-leak-2', stage: 'pending' }),
    );
    expectNoSecretIn(binary, base64);
    const reset = await failure(
      p.putVersion(name, redacted(secret), { token: 'tok-leak-3', stage: 'pending' }),
    );
    expect(reset.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    expectNoSecretIn(reset, secret);
  });
});
