import { inspect } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { ManualClock, redacted } from '@portcullis/core';
import { isSecretsError, type SecretsError } from '@portcullis/secrets';
import { AzureKeyVaultProvider } from '@portcullis/secrets-azure';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AAD } from '../harness/aad.ts';
import { waitFor } from '../harness/ports.ts';
import { type AzurePeers, provider, startAzurePeers, uniqueName } from './peers.ts';

const VALUE = 'azure-value-must-not-leak-4b1e';
let peers: AzurePeers;
let name: string;
let versionId: string;
beforeAll(async () => {
  peers = await startAzurePeers();
  name = uniqueName('faults');
  versionId = (await peers.client.setSecret(name, VALUE)).properties.version as string;
});
beforeEach(() => {
  peers.vault.resetCounts();
});
afterEach(() => {
  peers.vault.clear();
  peers.vault.resetCounts();
});
afterAll(async () => {
  await peers?.stop();
});

function recordingClock() {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    schedule: (ms: number, task: () => void) => {
      const t = setTimeout(task, ms);
      t.unref();
      return () => clearTimeout(t);
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  };
}

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

function expectNoSecretIn(error: unknown, ...secrets: string[]): void {
  const text = [
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    String(error),
    JSON.stringify(error),
    String((error as Error).stack),
  ].join('\n');
  for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('AzureKeyVaultProvider under faults', () => {
  it('retries 429 Throttled after max(backoff, Retry-After), then serves the value', async () => {
    const clock = recordingClock();
    const p = provider(peers, { clock, random: () => 0.5 });
    peers.vault.inject({ kind: 'throttle', retryAfterSec: 3 }, { kind: 'throttle' });
    const version = await p.get(name, { versionId });
    expect(version.value.reveal()).toBe(VALUE);
    expect(clock.sleeps).toEqual([3000, 100]); // Retry-After 3 s; then half of the 200 ms cap
    expect(peers.vault.requests).toHaveLength(3);
  });

  it('gives up after maxThrottleRetries with ERR_SECRET_THROTTLED carrying retryAfterMs', async () => {
    const clock = recordingClock();
    const p = provider(peers, { clock, maxThrottleRetries: 1, maxRetryAfterMs: 10_000 });
    peers.vault.always({ kind: 'throttle', retryAfterSec: 120 });
    const error = await failure(p.get(name, { versionId }));
    expect(error.code).toBe('ERR_SECRET_THROTTLED');
    expect(error.retryAfterMs).toBe(10_000); // capped
    expect(peers.vault.requests).toHaveLength(2);
    expectNoSecretIn(error, VALUE);
  });

  it('5xx in the service shape, an HTML gateway page and a reset are UNAVAILABLE, not retried', async () => {
    const p = provider(peers, { clock: recordingClock() });
    for (const fault of [
      { kind: 'status' as const, status: 503, code: 'ServiceUnavailable' },
      { kind: 'html' as const, status: 502 },
      { kind: 'reset' as const },
    ]) {
      peers.vault.resetCounts();
      peers.vault.inject(fault);
      const error = await failure(p.get(name, { versionId }));
      expect(error.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
      expect(peers.vault.requests).toHaveLength(1);
      expectNoSecretIn(error, VALUE);
    }
  });

  it('a hung vault ends in ERR_SECRET_PROVIDER_UNAVAILABLE at timeoutMs on the injected clock', async () => {
    const clock = new ManualClock(Date.now());
    const p = provider(peers, { clock, timeoutMs: 4000 });
    peers.vault.always({ kind: 'hang' });
    const pending = failure(p.get(name, { versionId }));
    await waitFor('the request to reach the vault', async () => peers.vault.requests.length >= 1);
    clock.advance(3999);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    clock.advance(1);
    const error = await pending;
    expect(error.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    expect(error.message).toContain('4000 ms');
  });

  it('403 Forbidden (no access policy) is ERR_SECRET_ACCESS_DENIED; a revoked token too', async () => {
    const p = provider(peers, { clock: recordingClock() });
    peers.vault.inject({
      kind: 'status',
      status: 403,
      code: 'Forbidden',
      message: 'The user does not have secrets get permission.',
    });
    expect((await failure(p.get(name, { versionId }))).code).toBe('ERR_SECRET_ACCESS_DENIED');

    // Its own credential, so the shared one keeps its token.
    const credential = new ClientSecretCredential(AAD.tenantId, AAD.clientId, AAD.clientSecret, {
      authorityHost: peers.aad.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca: peers.pki.ca },
    });
    const own = new AzureKeyVaultProvider({
      vaultUrl: peers.vault.vaultUrl,
      credential,
      clientOptions: {
        tlsOptions: { ca: peers.pki.ca },
        disableChallengeResourceVerification: true,
      },
    });
    expect((await own.get(name, { versionId })).value.reveal()).toBe(VALUE);
    peers.aad.revokeLast(); // the vault now refuses the token the credential holds
    const refused = await failure(own.get(name, { versionId }));
    expect(refused.code).toBe('ERR_SECRET_ACCESS_DENIED');
    expect(refused.message).toContain('HTTP 401');
  });

  it('no value in any error: a failed setSecret (the SDK error holds the request body)', async () => {
    const p = provider(peers, { clock: recordingClock() });
    const secret = 'new-azure-value-must-not-leak-c3d2';
    peers.vault.inject(
      {
        kind: 'status',
        status: 400,
        code: 'BadParameter',
        message: `The value ${secret} is not allowed.`,
        method: 'PUT',
      },
      { kind: 'status', status: 500, code: 'InternalError', method: 'PUT' },
    );
    const echoed = await failure(
      p.putVersion(name, redacted(secret), { token: 'leak-1', stage: 'pending' }),
    );
    expect(echoed.code).toBe('ERR_SECRET_INVALID');
    expect(String((echoed.cause as Error).message)).toContain('[REDACTED]');
    expectNoSecretIn(echoed, secret, VALUE);
    const server = await failure(
      p.putVersion(name, redacted(secret), { token: 'leak-2', stage: 'pending' }),
    );
    expect(server.code).toBe('ERR_SECRET_PROVIDER_UNAVAILABLE');
    expectNoSecretIn(server, secret, VALUE);
  });
});
