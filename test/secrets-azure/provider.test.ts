import { redacted } from '@portcullis/core';
import { isSecretsError } from '@portcullis/secrets';
import { AzureKeyVaultProvider } from '@portcullis/secrets-azure';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AzurePeers, provider, startAzurePeers, uniqueName } from './peers.ts';

let peers: AzurePeers;
beforeAll(async () => {
  peers = await startAzurePeers();
});
afterAll(async () => {
  await peers?.stop();
});

const notFound = (e: unknown) => isSecretsError(e, 'ERR_SECRET_NOT_FOUND');
const nowSec = () => Math.floor(Date.now() / 1000);

describe('AzureKeyVaultProvider against a loopback Key Vault through the real SDK and credential', () => {
  it('reads the latest version of a secret written elsewhere (no stage tags) as current', async () => {
    const name = uniqueName('plain');
    await peers.client.setSecret(name, 'first-value');
    const second = await peers.client.setSecret(name, 'second-value');
    const p = provider(peers);
    const version = await p.get(name);
    expect(version.value.reveal()).toBe('second-value');
    expect(version.versionId).toBe(second.properties.version);
    expect(version.stages).toEqual(['current']);
    expect(await p.currentVersionId(name)).toBe(second.properties.version);
    expect(peers.vault.challenges).toBeGreaterThanOrEqual(1); // the bearer challenge ran
    expect(peers.aad.tokenRequests).toBeGreaterThanOrEqual(1); // and the credential got a token
  });

  it('rotates: put pending (tagged), move current (old becomes previous, pending cleared), list', async () => {
    const name = uniqueName('rotate');
    const old = (await peers.client.setSecret(name, 'old-value')).properties.version as string;
    const p = provider(peers);
    const fresh = await p.putVersion(name, redacted('new-value'), {
      token: 'rot-1',
      stage: 'pending',
    });
    expect((await p.get(name)).value.reveal()).toBe('old-value'); // pending is not current
    expect((await p.get(name, { stage: 'pending' })).value.reveal()).toBe('new-value');
    expect(await p.currentVersionId(name)).toBe(old);

    await p.moveStage(name, 'current', fresh);

    expect(await p.get(name)).toMatchObject({ versionId: fresh, stages: ['current'] });
    expect((await p.get(name)).value.reveal()).toBe('new-value');
    expect(await p.get(name, { stage: 'previous' })).toMatchObject({
      versionId: old,
      stages: ['previous'],
    });
    await expect(p.get(name, { stage: 'pending' })).rejects.toSatisfy(notFound);
    expect(await p.currentVersionId(name)).toBe(fresh);
    const listed = await p.listVersions(name);
    expect(new Map(listed.map((v) => [v.versionId, v.stages]))).toEqual(
      new Map([
        [fresh, ['current']],
        [old, ['previous']],
      ]),
    );
    const tags = peers.vault.versions(name).map((v) => v.tags?.['portcullis-stage']);
    expect(tags).toEqual(['previous', 'current']);

    // A second rotation retires the first previous.
    const third = await p.putVersion(name, redacted('third-value'), {
      token: 'rot-2',
      stage: 'pending',
    });
    await p.moveStage(name, 'current', third);
    expect((await p.get(name, { stage: 'previous' })).versionId).toBe(fresh);
    expect(peers.vault.versions(name).map((v) => v.tags?.['portcullis-stage'] ?? '')).toEqual([
      '',
      'previous',
      'current',
    ]);
  });

  it('a move that fails between its tag updates converges on a re-run', async () => {
    const name = uniqueName('rerun');
    const p = provider(peers);
    const one = await p.putVersion(name, redacted('one'), { token: 'r-1', stage: 'current' });
    const two = await p.putVersion(name, redacted('two'), { token: 'r-2', stage: 'pending' });
    // The new current is tagged, then the update demoting the old current fails.
    peers.vault.inject(
      { kind: 'pass', method: 'PATCH' },
      { kind: 'status', status: 503, code: 'ServiceUnavailable', method: 'PATCH' },
    );
    await expect(p.moveStage(name, 'current', two)).rejects.toSatisfy((e) =>
      isSecretsError(e, 'ERR_SECRET_PROVIDER_UNAVAILABLE'),
    );
    await p.moveStage(name, 'current', two);
    const stages = new Map(
      peers.vault.versions(name).map((v) => [v.id, v.tags?.['portcullis-stage']]),
    );
    expect(stages).toEqual(
      new Map([
        [one, 'previous'],
        [two, 'current'],
      ]),
    );
  });

  it('a repeated put with the same token writes one version and returns its id', async () => {
    const name = uniqueName('idempotent');
    await peers.client.setSecret(name, 'base');
    const p = provider(peers);
    const first = await p.putVersion(name, redacted('pending-1'), {
      token: 'same-token',
      stage: 'pending',
    });
    const again = await p.putVersion(name, redacted('pending-1'), {
      token: 'same-token',
      stage: 'pending',
    });
    expect(again).toBe(first);
    expect(peers.vault.versions(name)).toHaveLength(2);
    expect(peers.vault.requests.filter((r) => r === `PUT /secrets/${name}`)).toHaveLength(2); // base + one
  });

  it('reads by version id, and stores binary values as base64 with a content type', async () => {
    const name = uniqueName('binary');
    const p = provider(peers);
    const bytes = Uint8Array.from([0, 255, 1, 254, 10, 13]);
    const id = await p.putVersion(name, redacted(bytes), { token: 'bin', stage: 'current' });
    const version = await p.get(name, { versionId: id });
    expect(version.value.reveal()).toEqual(bytes);
    expect(version.stages).toEqual(['current']);
    const stored = peers.vault.versions(name)[0];
    expect(stored?.contentType).toBe('application/octet-stream');
    expect(stored?.value).toBe(Buffer.from(bytes).toString('base64'));
  });

  it('never serves a disabled, expired or not-yet-valid version', async () => {
    const p = provider(peers);
    const cases = [
      { enabled: false, why: /disabled/ },
      { enabled: true, exp: nowSec() - 60, why: /expired/ },
      { enabled: true, nbf: nowSec() + 3600, why: /not valid yet/ },
    ];
    for (const { why, ...attributes } of cases) {
      const name = uniqueName('attrs');
      const id = peers.vault.seed(name, {
        value: 'unusable-value',
        tags: { 'portcullis-stage': 'current' },
        ...attributes,
      });
      const byStage = await p.get(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(notFound(byStage)).toBe(true);
      if (attributes.enabled) expect(String((byStage as Error).message)).toMatch(why);
      await expect(p.get(name, { versionId: id })).rejects.toSatisfy(notFound);
    }
  });

  it('maps a missing secret, version or stage to ERR_SECRET_NOT_FOUND', async () => {
    const p = provider(peers);
    await expect(p.get(uniqueName('missing'))).rejects.toSatisfy(notFound);
    const name = uniqueName('no-stage');
    await peers.client.setSecret(name, 'x');
    await expect(p.get(name, { stage: 'previous' })).rejects.toSatisfy(notFound);
    await expect(p.get(name, { versionId: '0123456789abcdef0123456789abcdef' })).rejects.toSatisfy(
      notFound,
    );
    await expect(
      p.moveStage(name, 'current', '0123456789abcdef0123456789abcdef'),
    ).rejects.toSatisfy(notFound);
  });

  it('builds its own client from vaultUrl, credential and clientOptions', async () => {
    const name = uniqueName('built');
    await peers.client.setSecret(name, 'built-value');
    const p = new AzureKeyVaultProvider({
      vaultUrl: peers.vault.vaultUrl,
      credential: peers.credential,
      clientOptions: {
        tlsOptions: { ca: peers.pki.ca },
        disableChallengeResourceVerification: true,
      },
    });
    expect((await p.get(name)).value.reveal()).toBe('built-value');
  });

  it('a wrong client secret surfaces as ERR_SECRET_ACCESS_DENIED', async () => {
    const { ClientSecretCredential } = await import('@azure/identity');
    const p = new AzureKeyVaultProvider({
      vaultUrl: peers.vault.vaultUrl,
      credential: new ClientSecretCredential(
        'portcullis-test-tenant',
        'portcullis-test-client',
        'wrong-secret',
        {
          authorityHost: peers.aad.authorityHost,
          disableInstanceDiscovery: true,
          tlsOptions: { ca: peers.pki.ca },
        },
      ),
      clientOptions: {
        tlsOptions: { ca: peers.pki.ca },
        disableChallengeResourceVerification: true,
      },
    });
    const error = await p.get(uniqueName('any')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toSatisfy((e) => isSecretsError(e, 'ERR_SECRET_ACCESS_DENIED'));
  });
});
