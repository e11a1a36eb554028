import { fileURLToPath } from 'node:url';
import { redacted } from '@portcullis/core';
import { isSecretsError, type WritableSecretProvider } from '@portcullis/secrets';
import { AwsSecretsManagerProvider, DEFAULTS } from '@portcullis/secrets-aws';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

interface Sent {
  command: string;
  input: Record<string, unknown>;
}

/** A stand-in for SecretsManagerClient: answers by command name, records what was sent. */
function fakeClient(answers: Record<string, (input: Record<string, unknown>) => unknown>) {
  const sent: Sent[] = [];
  const client = {
    sent,
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name.replace(/Command$/, '');
      sent.push({ command: name, input: command.input });
      const answer = answers[name];
      if (answer === undefined) throw new Error(`unexpected ${name}`);
      return answer(command.input);
    },
  };
  return client;
}

function make(client: ReturnType<typeof fakeClient>) {
  return new AwsSecretsManagerProvider({ client: client as never });
}

describe('AwsSecretsManagerProvider (no sockets)', () => {
  it('README defaults table matches DEFAULTS', () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(defaultsMismatches(readme, DEFAULTS)).toEqual([]);
    expect(Object.isFrozen(DEFAULTS) && Object.isFrozen(DEFAULTS.backoff)).toBe(true);
  });

  it('refuses bad options at construction', () => {
    expect(() => new AwsSecretsManagerProvider({ timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => new AwsSecretsManagerProvider({ timeoutMs: '5s' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => new AwsSecretsManagerProvider({ timeoutMS: 5 } as never)).toThrow(
      /did you mean "timeoutMs"/i,
    );
    expect(() => new AwsSecretsManagerProvider({ backoff: { initialMs: -1 } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => new AwsSecretsManagerProvider({ client: {} as never })).toThrow(TypeError);
    expect(
      () => new AwsSecretsManagerProvider({ client: fakeClient({}) as never, clientConfig: {} }),
    ).toThrow(TypeError);
  });

  it('always names the stage, or the version id alone', async () => {
    const client = fakeClient({
      GetSecretValue: () => ({ VersionId: 'v1', VersionStages: ['AWSCURRENT'], SecretString: 's' }),
    });
    const p = make(client);
    await p.get('db');
    await p.get('db', { stage: 'previous' });
    await p.get('db', { versionId: 'v1' });
    expect(client.sent.map((s) => s.input)).toEqual([
      { SecretId: 'db', VersionStage: 'AWSCURRENT' },
      { SecretId: 'db', VersionStage: 'AWSPREVIOUS' },
      { SecretId: 'db', VersionId: 'v1' },
    ]);
  });

  it('a version with neither SecretString nor SecretBinary is ERR_SECRET_INVALID', async () => {
    const p = make(fakeClient({ GetSecretValue: () => ({ VersionId: 'v1' }) }));
    await expect(p.get('db')).rejects.toSatisfy((e) => isSecretsError(e, 'ERR_SECRET_INVALID'));
  });

  it('moveStage names the holder as RemoveFromVersionId, then clears AWSPENDING from the new current', async () => {
    const stages: Record<string, string[]> = { old: ['AWSCURRENT'], fresh: ['AWSPENDING'] };
    const client = fakeClient({
      DescribeSecret: () => ({ VersionIdsToStages: structuredClone(stages) }),
      UpdateSecretVersionStage: (input) => {
        const label = input.VersionStage as string;
        if (input.RemoveFromVersionId)
          stages[input.RemoveFromVersionId as string] = (
            stages[input.RemoveFromVersionId as string] ?? []
          ).filter((l) => l !== label);
        if (input.MoveToVersionId) stages[input.MoveToVersionId as string]?.push(label);
        return {};
      },
    });
    await make(client).moveStage('db', 'current', 'fresh');
    expect(
      client.sent.filter((s) => s.command === 'UpdateSecretVersionStage').map((s) => s.input),
    ).toEqual([
      {
        SecretId: 'db',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: 'fresh',
        RemoveFromVersionId: 'old',
      },
      { SecretId: 'db', VersionStage: 'AWSPENDING', RemoveFromVersionId: 'fresh' },
    ]);
  });

  it('putVersion sends the token as ClientRequestToken with the stage label', async () => {
    const client = fakeClient({
      PutSecretValue: (input) => ({ VersionId: input.ClientRequestToken }),
    });
    const token = '6f1c0b2e-5d3a-4c8e-9b7f-2a1d3e4f5a6b';
    expect(await make(client).putVersion('db', redacted('x'), { token, stage: 'pending' })).toBe(
      token,
    );
    expect(client.sent[0]?.input).toEqual({
      SecretId: 'db',
      ClientRequestToken: token,
      VersionStages: ['AWSPENDING'],
      SecretString: 'x',
    });
    await expect(
      make(client).putVersion('db', redacted('x'), { token: '', stage: 'pending' }),
    ).rejects.toThrow(TypeError);
  });

  it('listVersions ends on a repeated page token and orders ties pending, current, previous', async () => {
    const at = new Date('2026-12-03T09:00:00Z');
    const client = fakeClient({
      ListSecretVersionIds: () => ({
        NextToken: 'same',
        Versions: [
          { VersionId: 'a', VersionStages: ['AWSPREVIOUS'], CreatedDate: at },
          { VersionId: 'b', VersionStages: ['AWSCURRENT'], CreatedDate: at },
          { VersionId: 'c', VersionStages: ['AWSPENDING'], CreatedDate: at },
        ],
      }),
    });
    const listed = await make(client).listVersions('db');
    expect(listed.map((v) => v.versionId)).toEqual(['c', 'b', 'a']);
    expect(client.sent.length).toBeLessThanOrEqual(2);
  });
});

describe('types', () => {
  it('is a WritableSecretProvider with the optional capabilities the cache uses', () => {
    expectTypeOf<AwsSecretsManagerProvider>().toExtend<WritableSecretProvider>();
    expectTypeOf<AwsSecretsManagerProvider['currentVersionId']>().toBeFunction();
    expectTypeOf<AwsSecretsManagerProvider['removeStage']>().toBeFunction();
  });
});
