// @portcullis/envelope/aws through the real @aws-sdk/client-kms against moto_server (started by
// the harness), with faults from the harness proxy. moto is not AWS: tests assert AWS's
// documented behaviour (see /work/shared/PEERS.md); moto does not refuse Decrypt on a disabled
// key, so retirement is shown with a DisabledException from the proxy.

import { inspect } from 'node:util';
import { CreateAliasCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ManualClock } from '@portcullis/core';
import { createEnvelope, type EnvelopeError, isEnvelopeError } from '@portcullis/envelope';
import { AwsKmsKek } from '@portcullis/envelope/aws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AWS_THROTTLING,
  type FaultProxy,
  GATEWAY_HTML,
  startFaultProxy,
} from '../harness/faultProxy.ts';
import { type MotoPeer, startMoto } from '../harness/moto.ts';

const CREDENTIALS = { accessKeyId: 'AKIDTESTMOTO', secretAccessKey: 'moto-does-not-check' };
const PLAINTEXT = 'card=4242424242424242;cvc=123';
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const ctx = (tenant: string, id: string) => ({ tenant, purpose: 'outbox', id });

let moto: MotoPeer;
let proxy: FaultProxy;
let admin: KMSClient;
let client: KMSClient;
let keyA: string;
let keyB: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.endpoint);
  admin = new KMSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  client = new KMSClient({
    endpoint: proxy.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
  keyA = (await admin.send(new CreateKeyCommand({ Description: 'envelope test A' }))).KeyMetadata
    ?.Arn as string;
  keyB = (await admin.send(new CreateKeyCommand({ Description: 'envelope test B' }))).KeyMetadata
    ?.Arn as string;
  await admin.send(new CreateAliasCommand({ AliasName: 'alias/envelope-test', TargetKeyId: keyA }));
});
afterEach(() => {
  proxy.clear();
  proxy.resetCounts();
});
afterAll(async () => {
  admin?.destroy();
  client?.destroy();
  await proxy?.stop();
  await moto?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<EnvelopeError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  if (!isEnvelopeError(error)) throw error;
  const text =
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }) + JSON.stringify(error);
  expect(text).not.toContain(PLAINTEXT);
  expect(text).not.toContain(CREDENTIALS.secretAccessKey);
  return error;
}

const ops = () => proxy.operations.map((o) => o.replace(/^TrentService\./, ''));

describe('AwsKmsKek against moto', () => {
  it('seals with GenerateDataKey under the key context, opens with Decrypt; one KMS call per window', async () => {
    const writer = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    const sealed = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        writer.seal(enc(`${PLAINTEXT}#${i}`), ctx('acme', String(i))),
      ),
    );
    expect(ops()).toEqual(['GenerateDataKey']);
    expect(writer.describe(sealed[0] as Uint8Array).keyId).toBe(keyA);
    const reader = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    for (const [i, s] of sealed.entries())
      expect(dec(await reader.open(s, ctx('acme', String(i))))).toBe(`${PLAINTEXT}#${i}`);
    expect(ops()).toEqual(['GenerateDataKey', 'Decrypt']);
  });

  it('a ciphertext moved to another tenant is refused by KMS (encryption context) as a context mismatch', async () => {
    const envelope = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    const sealed = await envelope.seal(enc(PLAINTEXT), ctx('acme', '1'));
    const fresh = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    proxy.resetCounts();
    const error = await refusal(fresh.open(sealed, ctx('globex', '1')));
    expect(error.code).toBe('ERR_ENVELOPE_CONTEXT_MISMATCH');
    expect(ops()).toEqual(['Decrypt']);
    // Same tenant, another row: the data key unwraps, the envelope's own binding refuses it.
    expect((await refusal(fresh.open(sealed, ctx('acme', '2')))).code).toBe(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });

  it('an envelope naming another KMS key than the one that wrapped it is refused as the wrong key', async () => {
    const envelope = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    const sealed = await envelope.seal(enc(PLAINTEXT), ctx('acme', '1'));
    const forged = new Uint8Array(sealed.length);
    forged.set(sealed);
    const idA = new TextEncoder().encode(keyA);
    const idB = new TextEncoder().encode(keyB);
    expect(idA.length).toBe(idB.length);
    forged.set(idB, 6);
    const fresh = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    const error = await refusal(fresh.open(forged, ctx('acme', '1')));
    expect(error.code).toBe('ERR_ENVELOPE_WRONG_KEY');
    expect(error.keyId).toBe(keyB);
  });

  it('rotation: rewrap with the new key through Encrypt (payload untouched); a retired key is refused', async () => {
    const before = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    const sealed = await before.seal(enc(PLAINTEXT), ctx('acme', '9'));
    const after = createEnvelope({
      kek: new AwsKmsKek({ client, keyId: keyB, previousKeyIds: [keyA] }),
    });
    proxy.resetCounts();
    const rewrapped = await after.rewrap(sealed, ctx('acme', '9'));
    expect(ops()).toEqual(['Decrypt', 'Encrypt']);
    expect(after.describe(rewrapped).keyId).toBe(keyB);
    expect(Buffer.from(rewrapped.subarray(rewrapped.length - (PLAINTEXT.length + 44)))).toEqual(
      Buffer.from(sealed.subarray(sealed.length - (PLAINTEXT.length + 44))),
    );
    const reader = createEnvelope({
      kek: new AwsKmsKek({ client, keyId: keyB, previousKeyIds: [keyA] }),
    });
    expect(dec(await reader.open(rewrapped, ctx('acme', '9')))).toBe(PLAINTEXT);
    // Key A disabled in KMS (AWS answers DisabledException; moto does not enforce it).
    proxy.inject({
      kind: 'respond',
      status: 400,
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': 'DisabledException',
      },
      body: JSON.stringify({ __type: 'DisabledException', message: `${keyA} is disabled.` }),
    });
    expect((await refusal(reader.open(sealed, ctx('acme', '9')))).code).toBe(
      'ERR_ENVELOPE_WRONG_KEY',
    );
  });

  it("an envelope naming a key that is not ours (another account's, whose data key its author knows) is refused before Decrypt", async () => {
    // The attacker's own key (keyB stands in for a key in their account that our role may use):
    // they seal a payload of their choosing for our context and write it into our row.
    const attacker = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyB }) });
    const forged = await attacker.seal(enc('amount=1000000'), ctx('acme', '1'));
    const victim = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
    proxy.resetCounts();
    const error = await refusal(victim.open(forged, ctx('acme', '1')));
    expect(error.code).toBe('ERR_ENVELOPE_WRONG_KEY');
    expect(ops()).toEqual([]);
    // Configured by alias: its ARN is resolved once (DescribeKey), then only that key unwraps.
    const byAlias = createEnvelope({
      kek: new AwsKmsKek({ client, keyId: 'alias/envelope-test' }),
    });
    const own = await createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) }).seal(
      enc(PLAINTEXT),
      ctx('acme', '2'),
    );
    proxy.resetCounts();
    expect(dec(await byAlias.open(own, ctx('acme', '2')))).toBe(PLAINTEXT);
    expect((await refusal(byAlias.open(forged, ctx('acme', '1')))).code).toBe(
      'ERR_ENVELOPE_WRONG_KEY',
    );
    expect(ops()).toEqual(['DescribeKey', 'Decrypt']);
  });

  it('throttling, a gateway HTML page and a reset are ERR_ENVELOPE_KEK_UNAVAILABLE when nothing is cached', async () => {
    for (const fault of [AWS_THROTTLING, GATEWAY_HTML, { kind: 'reset' as const }]) {
      const envelope = createEnvelope({ kek: new AwsKmsKek({ client, keyId: keyA }) });
      proxy.inject(fault);
      const error = await refusal(envelope.seal(enc(PLAINTEXT), ctx('acme', '1')));
      expect(error.code).toBe('ERR_ENVELOPE_KEK_UNAVAILABLE');
      expect(error.status).toBe(503);
    }
  });

  it('a KMS that hangs is cut off at kekTimeoutMs', async () => {
    const envelope = createEnvelope({
      kek: new AwsKmsKek({ client, keyId: keyA }),
      kekTimeoutMs: 300,
    });
    proxy.inject({ kind: 'hang' });
    const started = Date.now();
    const error = await refusal(envelope.seal(enc(PLAINTEXT), ctx('acme', '1')));
    expect(error.code).toBe('ERR_ENVELOPE_KEK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('an outage is ridden on cached data keys for outageGraceMs, then refused', async () => {
    const clock = new ManualClock(Date.now());
    const envelope = createEnvelope({
      kek: new AwsKmsKek({ client, keyId: keyA }),
      clock,
      dataKeyMaxAgeMs: 60_000,
      cacheMaxAgeMs: 60_000,
      outageGraceMs: 600_000,
    });
    const sealed = await envelope.seal(enc(PLAINTEXT), ctx('acme', '1'));
    proxy.always(AWS_THROTTLING);
    clock.advance(120_000);
    expect(dec(await envelope.open(sealed, ctx('acme', '1')))).toBe(PLAINTEXT);
    const during = await envelope.seal(enc('during the outage'), ctx('acme', '2'));
    expect(proxy.requests).toBeGreaterThan(0);
    clock.advance(600_000);
    expect((await refusal(envelope.open(sealed, ctx('acme', '1')))).code).toBe(
      'ERR_ENVELOPE_KEK_UNAVAILABLE',
    );
    expect((await refusal(envelope.seal(enc('x'), ctx('acme', '3')))).code).toBe(
      'ERR_ENVELOPE_KEK_UNAVAILABLE',
    );
    proxy.clear();
    expect(dec(await envelope.open(during, ctx('acme', '2')))).toBe('during the outage');
  });
});
