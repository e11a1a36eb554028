// @portcullis/envelope/azure through the real @azure/keyvault-keys client (and @azure/identity)
// against the loopback Key Vault (test/harness/keyVault.ts + keyVaultKeys.ts) over HTTPS with the
// SDK's bearer-challenge flow.
import { inspect } from 'node:util';
import { ClientSecretCredential } from '@azure/identity';
import { KeyClient } from '@azure/keyvault-keys';
import { createEnvelope, type EnvelopeError, isEnvelopeError } from '@portcullis/envelope';
import { AzureKeyVaultKek } from '@portcullis/envelope/azure';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AAD, type AadPeer, startAad } from '../harness/aad.ts';
import { type KeyVaultPeer, startKeyVault } from '../harness/keyVault.ts';
import { makeTestPki } from '../harness/tls.ts';

const PLAINTEXT = 'diagnosis=confidential-4711';
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const ctx = (tenant: string, id: string) => ({ tenant, purpose: 'dead-letters', id });

let aad: AadPeer;
let vault: KeyVaultPeer;
let credential: ClientSecretCredential;
let admin: KeyClient;
let clientOptions: ConstructorParameters<typeof KeyClient>[2];
let keyV1: string;

beforeAll(async () => {
  const pki = await makeTestPki();
  aad = await startAad(pki);
  vault = await startKeyVault(pki, aad);
  const tlsOptions = { ca: pki.ca };
  credential = new ClientSecretCredential(AAD.tenantId, AAD.clientId, AAD.clientSecret, {
    authorityHost: aad.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions,
  });
  // The loopback vault cannot be a subdomain of vault.azure.net: the SDK's domain check is off.
  clientOptions = {
    tlsOptions,
    retryOptions: { maxRetries: 0 },
    disableChallengeResourceVerification: true,
  };
  admin = new KeyClient(vault.vaultUrl, credential, clientOptions);
  keyV1 = (await admin.createRsaKey('outbox-kek')).id as string;
});
afterEach(() => {
  vault.clear();
});
afterAll(async () => {
  await vault?.stop();
  await aad?.stop();
});

const kek = (
  keyId: string,
  extra: Partial<ConstructorParameters<typeof AzureKeyVaultKek>[0]> = {},
) => new AzureKeyVaultKek({ keyId, credential, clientOptions: clientOptions ?? {}, ...extra });

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
  expect(text).not.toContain(AAD.clientSecret);
  return error;
}

const count = (op: string) => vault.keys.operations.filter((o) => o === op).length;

describe('AzureKeyVaultKek against the loopback Key Vault', () => {
  it('wraps one data key per window with RSA-OAEP-256 and unwraps it once per reader', async () => {
    const before = { wrap: count('wrapkey'), unwrap: count('unwrapkey') };
    const writer = createEnvelope({ kek: kek(keyV1) });
    const sealed = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        writer.seal(enc(`${PLAINTEXT}#${i}`), ctx('acme', String(i))),
      ),
    );
    expect(count('wrapkey') - before.wrap).toBe(1);
    expect(writer.describe(sealed[0] as Uint8Array).keyId).toBe(keyV1);
    const reader = createEnvelope({ kek: kek(keyV1) });
    for (const [i, s] of sealed.entries())
      expect(dec(await reader.open(s, ctx('acme', String(i))))).toBe(`${PLAINTEXT}#${i}`);
    expect(count('unwrapkey') - before.unwrap).toBe(1);
  });

  it('RSA-OAEP works too (the SDK wraps locally with the public key, the vault unwraps)', async () => {
    const writer = createEnvelope({ kek: kek(keyV1, { algorithm: 'RSA-OAEP' }) });
    const sealed = await writer.seal(enc(PLAINTEXT), ctx('acme', '1'));
    const reader = createEnvelope({ kek: kek(keyV1, { algorithm: 'RSA-OAEP' }) });
    expect(dec(await reader.open(sealed, ctx('acme', '1')))).toBe(PLAINTEXT);
  });

  it('a row moved to another tenant is a context mismatch; an altered wrapped key is refused by the vault', async () => {
    const envelope = createEnvelope({ kek: kek(keyV1) });
    const sealed = await envelope.seal(enc(PLAINTEXT), ctx('acme', '1'));
    const reader = createEnvelope({ kek: kek(keyV1) });
    expect((await refusal(reader.open(sealed, ctx('globex', '1')))).code).toBe(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
    const altered = sealed.slice();
    const wrappedAt = 8 + new TextEncoder().encode(keyV1).length;
    altered[wrappedAt + 10] = (altered[wrappedAt + 10] as number) ^ 0xff;
    const fresh = createEnvelope({ kek: kek(keyV1) });
    expect((await refusal(fresh.open(altered, ctx('acme', '1')))).code).toBe(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
    );
  });

  it('rotation: a new key version writes, old envelopes rewrap; a disabled (retired) version is the wrong key', async () => {
    const old = createEnvelope({ kek: kek(keyV1) });
    const sealed = await old.seal(enc(PLAINTEXT), ctx('acme', '5'));
    const keyV2 = (await admin.createRsaKey('outbox-kek')).id as string;
    expect(keyV2).not.toBe(keyV1);
    const current = createEnvelope({ kek: kek(keyV2) });
    const rewrapped = await current.rewrap(sealed, ctx('acme', '5'));
    expect(current.describe(rewrapped).keyId).toBe(keyV2);
    await admin.updateKeyProperties('outbox-kek', keyV1.split('/').pop() as string, {
      enabled: false,
    });
    const reader = createEnvelope({ kek: kek(keyV2) });
    expect(dec(await reader.open(rewrapped, ctx('acme', '5')))).toBe(PLAINTEXT);
    const error = await refusal(reader.open(sealed, ctx('acme', '5')));
    expect(error.code).toBe('ERR_ENVELOPE_WRONG_KEY');
    expect(error.keyId).toBe(keyV1);
    await admin.updateKeyProperties('outbox-kek', keyV1.split('/').pop() as string, {
      enabled: true,
    });
  });

  it("an envelope naming a key that is not ours (a vault of the attacker's) is refused before any request", async () => {
    // 'attacker-kek' stands in for a key in a vault of theirs: they seal a payload of their
    // choosing for our context (they know its data key) and write it into our row.
    const attackerKey = (await admin.createRsaKey('attacker-kek')).id as string;
    const forged = await createEnvelope({ kek: kek(attackerKey) }).seal(
      enc('amount=1000000'),
      ctx('acme', '1'),
    );
    const before = count('unwrapkey');
    const victim = createEnvelope({ kek: kek(keyV1) });
    const error = await refusal(victim.open(forged, ctx('acme', '1')));
    expect(error.code).toBe('ERR_ENVELOPE_WRONG_KEY');
    expect(count('unwrapkey')).toBe(before);
    // Listed as a previous key (a move to another vault or key name), it unwraps.
    const moved = createEnvelope({ kek: kek(keyV1, { previousKeyIds: [attackerKey] }) });
    expect(dec(await moved.open(forged, ctx('acme', '1')))).toBe('amount=1000000');
  });

  it('throttling, a gateway page and a hang are ERR_ENVELOPE_KEK_UNAVAILABLE, bounded', async () => {
    for (const fault of [
      { kind: 'throttle' as const, retryAfterSec: 1 },
      { kind: 'html' as const, status: 502 },
    ]) {
      vault.inject({ ...fault, method: 'POST' });
      const error = await refusal(
        createEnvelope({ kek: kek(keyV1) }).seal(enc(PLAINTEXT), ctx('acme', '1')),
      );
      expect(error.code).toBe('ERR_ENVELOPE_KEK_UNAVAILABLE');
    }
    vault.inject({ kind: 'hang', method: 'POST' });
    const started = Date.now();
    const error = await refusal(
      createEnvelope({ kek: kek(keyV1), kekTimeoutMs: 500 }).seal(enc(PLAINTEXT), ctx('acme', '1')),
    );
    expect(error.code).toBe('ERR_ENVELOPE_KEK_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses a versionless key id at construction', () => {
    expect(() => kek(`${vault.vaultUrl}/keys/outbox-kek`)).toThrow(TypeError);
  });
});
