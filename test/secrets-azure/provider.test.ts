import { redacted } from '@portcullis/core';
import { isSecretsError } from '@portcullis/secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzurePeers, provider, startAzurePeers, uniqueName } from './peers.ts';

let peers: AzurePeers;
beforeAll(async () => {
  peers = await startAzurePeers();
});
afterAll(async () => {
  await peers?.stop();
});

describe('AzureKeyVaultProvider against a loopback Key Vault through the real SDK and credential', () => {
  it('reads the newest version of a secret written elsewhere (no stage tags) as current', async () => {
    const name = uniqueName('plain');
    const client = peers.client;
    await client.setSecret(name, 'first-value');
    const second = await client.setSecret(name, 'second-value');
    const version = await provider(peers).get(name);
    expect(version.value.reveal()).toBe('second-value');
    expect(version.versionId).toBe(second.properties.version);
    expect(version.stages).toEqual(['current']);
    expect(peers.vault.challenges).toBeGreaterThanOrEqual(1);
    expect(peers.aad.tokenRequests).toBeGreaterThanOrEqual(1);
  });
});
