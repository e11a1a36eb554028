import { fileURLToPath } from 'node:url';
import { ManualClock } from '@portcullis/core';
import { isSecretsError, type WritableSecretProvider } from '@portcullis/secrets';
import { AzureKeyVaultProvider, DEFAULTS } from '@portcullis/secrets-azure';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

interface Props {
  version: string;
  enabled?: boolean;
  tags?: Record<string, string>;
  createdOn?: Date;
  updatedOn?: Date;
  expiresOn?: Date;
  notBefore?: Date;
}

/** A stand-in for SecretClient over an in-memory list (no sockets). */
function fakeClient(versions: Props[], values: Record<string, string> = {}) {
  const calls: string[] = [];
  return {
    calls,
    async getSecret(name: string, options: { version?: string }) {
      calls.push(`get ${options.version ?? 'latest'}`);
      const v =
        options.version === undefined
          ? versions.at(-1)
          : versions.find((x) => x.version === options.version);
      if (v === undefined)
        throw Object.assign(new Error('nope'), { name: 'RestError', statusCode: 404 });
      return { name, value: values[v.version] ?? `value-${v.version}`, properties: { ...v, name } };
    },
    async setSecret() {
      throw new Error('not used');
    },
    async updateSecretProperties(
      _name: string,
      version: string,
      options: { tags: Record<string, string> },
    ) {
      calls.push(`patch ${version} ${options.tags['portcullis-stage']}`);
      const v = versions.find((x) => x.version === version);
      if (v) v.tags = options.tags;
      return {};
    },
    listPropertiesOfSecretVersions() {
      calls.push('list');
      return {
        byPage: () =>
          (async function* () {
            yield versions.map((v) => ({ ...v }));
          })(),
      };
    },
  };
}

const at = (iso: string) => new Date(iso);

describe('AzureKeyVaultProvider (no sockets)', () => {
  it('README defaults table matches DEFAULTS', () => {
    const readme = fileURLToPath(new URL('../README.md', import.meta.url));
    expect(defaultsMismatches(readme, DEFAULTS)).toEqual([]);
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
  });

  it('refuses bad options at construction', () => {
    expect(() => new AzureKeyVaultProvider({})).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(
      () => new AzureKeyVaultProvider({ client: fakeClient([]) as never, vaultUrl: 'https://x' }),
    ).toThrow(TypeError);
    expect(
      () => new AzureKeyVaultProvider({ client: fakeClient([]) as never, stageTg: 'x' } as never),
    ).toThrow(/did you mean "stageTag"/i);
    expect(
      () => new AzureKeyVaultProvider({ client: fakeClient([]) as never, timeoutMs: -5 }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
  });

  it('expiry and not-before are checked on the injected clock', async () => {
    const clock = new ManualClock(Date.parse('2026-12-03T09:00:00Z'));
    const client = fakeClient([
      {
        version: 'a',
        tags: { 'portcullis-stage': 'current' },
        notBefore: at('2026-12-03T10:00:00Z'),
        expiresOn: at('2026-12-03T11:00:00Z'),
      },
    ]);
    const p = new AzureKeyVaultProvider({ client: client as never, clock });
    await expect(p.get('s')).rejects.toSatisfy((e) => isSecretsError(e, 'ERR_SECRET_NOT_FOUND'));
    clock.advance(3600_000);
    expect((await p.get('s')).value.reveal()).toBe('value-a');
    clock.advance(3600_000);
    await expect(p.get('s')).rejects.toThrow(/has expired/);
  });

  it('when two versions claim current (an interrupted move), the one updated last wins', async () => {
    const client = fakeClient([
      {
        version: 'old',
        tags: { 'portcullis-stage': 'current' },
        createdOn: at('2026-12-01T00:00:00Z'),
        updatedOn: at('2026-12-01T00:00:00Z'),
      },
      {
        version: 'new',
        tags: { 'portcullis-stage': 'current' },
        createdOn: at('2026-12-02T00:00:00Z'),
        updatedOn: at('2026-12-03T00:00:00Z'),
      },
    ]);
    const p = new AzureKeyVaultProvider({ client: client as never });
    expect(await p.currentVersionId('s')).toBe('new');
  });

  it('moving current: tag the new one, clear other previous, demote the old current, in that order', async () => {
    const client = fakeClient([
      { version: 'v1', tags: { 'portcullis-stage': 'previous', owner: 'team-a' } },
      { version: 'v2', tags: { 'portcullis-stage': 'current' } },
      { version: 'v3', tags: { 'portcullis-stage': 'pending' } },
    ]);
    await new AzureKeyVaultProvider({ client: client as never }).moveStage('s', 'current', 'v3');
    expect(client.calls.filter((c) => c.startsWith('patch'))).toEqual([
      'patch v3 current',
      'patch v1 ',
      'patch v2 previous',
    ]);
  });

  it('a value marked binary that is not base64 is ERR_SECRET_INVALID', async () => {
    const client = fakeClient([{ version: 'b', tags: { 'portcullis-stage': 'current' } }], {
      b: 'not base64!',
    });
    const original = client.getSecret.bind(client);
    client.getSecret = async (name, options) => {
      const out = await original(name, options);
      return {
        ...out,
        properties: { ...out.properties, contentType: 'application/octet-stream' },
      } as never;
    };
    const p = new AzureKeyVaultProvider({ client: client as never });
    await expect(p.get('s')).rejects.toSatisfy((e) => isSecretsError(e, 'ERR_SECRET_INVALID'));
  });
});

describe('types', () => {
  it('is a WritableSecretProvider with the optional capabilities the cache uses', () => {
    expectTypeOf<AzureKeyVaultProvider>().toExtend<WritableSecretProvider>();
    expectTypeOf<AzureKeyVaultProvider['currentVersionId']>().toBeFunction();
    expectTypeOf<AzureKeyVaultProvider['listVersions']>().toBeFunction();
  });
});
