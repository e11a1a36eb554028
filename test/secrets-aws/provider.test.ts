import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { redacted } from '@portcullis/core';
import { isSecretsError } from '@portcullis/secrets';
import { AwsSecretsManagerProvider } from '@portcullis/secrets-aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AwsPeers,
  CREDENTIALS,
  createSecret,
  provider,
  REGION,
  startAwsPeers,
  uniqueName,
} from './peers.ts';

let peers: AwsPeers;
beforeAll(async () => {
  peers = await startAwsPeers();
});
afterAll(async () => {
  await peers?.stop();
});

describe('AwsSecretsManagerProvider against moto through the real SDK client', () => {
  it('reads the current version by default, naming AWSCURRENT explicitly', async () => {
    const name = uniqueName('read');
    const created = await createSecret(peers, name, 'first-value-8c1d');
    peers.proxy.resetCounts();
    const version = await provider(peers).get(name);
    expect(version.value.reveal()).toBe('first-value-8c1d');
    expect(version).toMatchObject({ name, versionId: created, stages: ['current'] });
    expect(version.createdAt).toBeTypeOf('number');
    expect(peers.proxy.operations).toEqual(['GetSecretValue']);
  });

  it('reads a version by id, and a binary secret as bytes', async () => {
    const name = uniqueName('binary');
    const bytes = Uint8Array.from([0, 1, 2, 250, 255, 10, 13]);
    const created = await createSecret(peers, name, bytes);
    const version = await provider(peers).get(name, { versionId: created });
    expect(version.versionId).toBe(created);
    expect(version.value.reveal()).toEqual(bytes);
    expect(version.value.reveal()).toBeInstanceOf(Uint8Array);
  });

  it('rotates: put pending, move current (old becomes previous, pending cleared), list newest first', async () => {
    const name = uniqueName('rotate');
    const old = await createSecret(peers, name, 'old-value-31f0');
    const p = provider(peers);
    const fresh = await p.putVersion(name, redacted('new-value-77aa'), {
      token: 'rotation-2026-12-03',
      stage: 'pending',
    });
    expect(fresh).not.toBe(old);
    expect((await p.get(name, { stage: 'pending' })).value.reveal()).toBe('new-value-77aa');
    expect((await p.get(name)).value.reveal()).toBe('old-value-31f0');
    expect(await p.currentVersionId(name)).toBe(old);

    await p.moveStage(name, 'current', fresh);

    const current = await p.get(name);
    expect(current.value.reveal()).toBe('new-value-77aa');
    expect(current.stages).toEqual(['current']);
    const previous = await p.get(name, { stage: 'previous' });
    expect(previous).toMatchObject({ versionId: old, stages: ['previous'] });
    expect(await p.currentVersionId(name)).toBe(fresh);
    const listed = await p.listVersions(name);
    expect(listed.map((v) => [v.versionId, v.stages])).toEqual([
      [fresh, ['current']],
      [old, ['previous']],
    ]);
    expect(listed.every((v) => !('value' in v))).toBe(true);
  });

  it('a repeated put with the same token stores one version and returns its id both times', async () => {
    const name = uniqueName('idempotent');
    await createSecret(peers, name, 'base-value');
    const p = provider(peers);
    const first = await p.putVersion(name, redacted('pending-value-1'), {
      token: 'short-token',
      stage: 'pending',
    });
    const again = await p.putVersion(name, redacted('pending-value-1'), {
      token: 'short-token',
      stage: 'pending',
    });
    expect(again).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/); // a short token is hashed to what AWS accepts
    expect((await p.listVersions(name)).length).toBe(2);
  });

  it('writes binary versions', async () => {
    const name = uniqueName('binary-put');
    await createSecret(peers, name, 'text-first');
    const p = provider(peers);
    const bytes = Uint8Array.from([222, 173, 190, 239]);
    const id = await p.putVersion(name, redacted(bytes), {
      token: '0123456789abcdef0123456789abcdef',
      stage: 'pending',
    });
    expect(id).toBe('0123456789abcdef0123456789abcdef'); // a token AWS accepts is sent as it is
    expect((await p.get(name, { stage: 'pending' })).value.reveal()).toEqual(bytes);
  });

  it('moving a stage onto the version that holds it sends no update (and keeps AWSPREVIOUS)', async () => {
    const name = uniqueName('noop-move');
    await createSecret(peers, name, 'one');
    const p = provider(peers);
    const two = await p.putVersion(name, redacted('two'), { token: 'tok-two', stage: 'pending' });
    await p.moveStage(name, 'current', two);
    peers.proxy.resetCounts();
    await p.moveStage(name, 'current', two);
    expect(peers.proxy.operations).toEqual(['DescribeSecret']);
    expect((await p.get(name, { stage: 'previous' })).value.reveal()).toBe('one');
  });

  it('a move that fails before AWSPENDING is cleared finishes on a re-run', async () => {
    const name = uniqueName('rerun');
    const one = await createSecret(peers, name, 'one');
    const p = provider(peers);
    const two = await p.putVersion(name, redacted('two'), { token: 'tok-rerun', stage: 'pending' });
    // DescribeSecret and UpdateSecretVersionStage pass; the DescribeSecret of the cleanup resets.
    peers.proxy.inject({ kind: 'pass' }, { kind: 'pass' }, { kind: 'reset' });
    await expect(p.moveStage(name, 'current', two)).rejects.toSatisfy((e) =>
      isSecretsError(e, 'ERR_SECRET_PROVIDER_UNAVAILABLE'),
    );
    const halfway = await peers.admin.send(new DescribeSecretCommand({ SecretId: name }));
    expect(halfway.VersionIdsToStages?.[two]?.sort()).toEqual(['AWSCURRENT', 'AWSPENDING']);
    await p.moveStage(name, 'current', two);
    const done = await peers.admin.send(new DescribeSecretCommand({ SecretId: name }));
    expect(done.VersionIdsToStages?.[two]).toEqual(['AWSCURRENT']);
    expect(done.VersionIdsToStages?.[one]).toEqual(['AWSPREVIOUS']);
  });

  it('removes a stage (retiring previous); removing one it does not hold sends nothing', async () => {
    const name = uniqueName('remove');
    const one = await createSecret(peers, name, 'one');
    const p = provider(peers);
    const two = await p.putVersion(name, redacted('two'), {
      token: 'tok-remove',
      stage: 'pending',
    });
    await p.moveStage(name, 'current', two);
    await p.removeStage(name, 'previous', one);
    await expect(p.get(name, { stage: 'previous' })).rejects.toSatisfy((e) =>
      isSecretsError(e, 'ERR_SECRET_NOT_FOUND'),
    );
    peers.proxy.resetCounts();
    await p.removeStage(name, 'previous', one);
    expect(peers.proxy.operations).toEqual(['DescribeSecret']);
  });

  it('maps a missing secret and a missing stage to ERR_SECRET_NOT_FOUND (by error name)', async () => {
    const p = provider(peers);
    await expect(p.get(uniqueName('missing'))).rejects.toSatisfy((e) =>
      isSecretsError(e, 'ERR_SECRET_NOT_FOUND'),
    );
    const name = uniqueName('no-pending');
    await createSecret(peers, name, 'only-current');
    await expect(p.get(name, { stage: 'pending' })).rejects.toSatisfy((e) =>
      isSecretsError(e, 'ERR_SECRET_NOT_FOUND'),
    );
    await expect(p.currentVersionId(uniqueName('missing'))).rejects.toSatisfy((e) =>
      isSecretsError(e, 'ERR_SECRET_NOT_FOUND'),
    );
  });

  it('builds its own client from clientConfig', async () => {
    const name = uniqueName('built');
    await createSecret(peers, name, 'built-client-value');
    const p = new AwsSecretsManagerProvider({
      clientConfig: { endpoint: peers.proxy.endpoint, region: REGION, credentials: CREDENTIALS },
    });
    expect((await p.get(name)).value.reveal()).toBe('built-client-value');
  });
});
