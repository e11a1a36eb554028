import { fileURLToPath } from 'node:url';
import { ManualClock } from '@portcullis/core';
import { createEnvelope, DEFAULTS, KeyringKek } from '@portcullis/envelope';
import { AwsKmsKek } from '@portcullis/envelope/aws';
import { AzureKeyVaultKek } from '@portcullis/envelope/azure';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';
import { keyring } from './helpers.ts';

describe('options', () => {
  it('the README defaults table matches DEFAULTS, which is frozen', () => {
    expect(
      defaultsMismatches(fileURLToPath(new URL('../README.md', import.meta.url)), DEFAULTS),
    ).toEqual([]);
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(Object.isFrozen(DEFAULTS.keyContext)).toBe(true);
  });

  it('refuses unknown keys with a hint, wrong types and out-of-range values', () => {
    const kek = keyring();
    expect(() => createEnvelope({ kek, dataKeyMaxUse: 5 } as never)).toThrow(
      /Did you mean "dataKeyMaxUses"/,
    );
    expect(() => createEnvelope({} as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => createEnvelope({ kek, dataKeyMaxUses: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createEnvelope({ kek, cacheMaxAgeMs: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createEnvelope({ kek, kekTimeoutMs: '5s' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => createEnvelope({ kek, keyContext: ['tenant', ''] })).toThrow(TypeError);
    expect(() => createEnvelope({ kek, context: { a: 1 } as never })).toThrow(TypeError);
    expect(() =>
      createEnvelope({ kek, clock: new ManualClock(0), outageGraceMs: 0 }),
    ).not.toThrow();
  });

  it('KEK constructors refuse bad options without echoing key material', () => {
    expect(() => new KeyringKek({ keys: [] })).toThrow(TypeError);
    expect(() => new KeyringKek({ keys: [{ id: 'a', key: new Uint8Array(16) }] })).toThrow(
      TypeError,
    );
    expect(
      () => new KeyringKek({ keys: [{ id: 'a', key: 'not-a-key-but-a-secret-looking-string' }] }),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('secret-looking') }));
    const k = new Uint8Array(32);
    expect(
      () =>
        new KeyringKek({
          keys: [
            { id: 'a', key: k },
            { id: 'a', key: k },
          ],
        }),
    ).toThrow(TypeError);
    expect(
      new KeyringKek({ keys: [{ id: 'a', key: Buffer.alloc(32, 7).toString('base64') }] })
        .currentKeyId,
    ).toBe('a');
    expect(() => new AwsKmsKek({ client: {} as never, keyId: 'alias/x' })).toThrow(TypeError);
    expect(() => new AwsKmsKek({ client: { send() {} } as never, keyId: '' })).toThrow(TypeError);
    expect(
      () =>
        new AzureKeyVaultKek({
          keyId: 'https://v.vault.azure.net/keys/k',
          credential: { getToken: async () => null },
        }),
    ).toThrow(/versioned/);
    expect(
      () =>
        new AwsKmsKek({
          client: { send() {} } as never,
          keyId: 'alias/x',
          previousKeyIds: ['alias/y'],
        }),
    ).toThrow(/previousKeyIds/);
    expect(
      () =>
        new AzureKeyVaultKek({
          keyId: 'https://v.vault.azure.net/keys/k/1',
          credential: { getToken: async () => null },
          previousKeyIds: ['https://v.vault.azure.net/keys/k'],
        }),
    ).toThrow(/previousKeyIds/);
  });

  it('the KEKs refuse an envelope naming a key not theirs without sending a request', async () => {
    const sent: string[] = [];
    const client = {
      send: async (command: { constructor: { name: string } }) => {
        sent.push(command.constructor.name);
        throw new Error('not reached');
      },
    };
    const arn = (id: string) => `arn:aws:kms:eu-west-1:111122223333:key/${id}`;
    const aws = new AwsKmsKek({
      client: client as never,
      keyId: arn('a'),
      previousKeyIds: [arn('b')],
    });
    const signal = new AbortController().signal;
    for (const foreign of [arn('c'), 'arn:aws:kms:eu-west-1:999999999999:key/a', 'alias/x'])
      await expect(aws.unwrap(foreign, new Uint8Array(8), {}, { signal })).rejects.toMatchObject({
        code: 'ERR_ENVELOPE_WRONG_KEY',
      });
    expect(sent).toEqual([]);
    const azure = new AzureKeyVaultKek({
      keyId: 'https://v.vault.azure.net/keys/k/1',
      credential: { getToken: async () => null },
    });
    for (const foreign of [
      'https://evil.example/keys/k/1',
      'https://v.vault.azure.net/keys/other/1',
      'https://v.vault.azure.net.evil.example/keys/k/1',
    ])
      await expect(azure.unwrap(foreign, new Uint8Array(8), {}, { signal })).rejects.toMatchObject({
        code: 'ERR_ENVELOPE_WRONG_KEY',
      });
  });

  it('KeyringKek.fromSecrets reads keys from a secrets cache', async () => {
    const { createSecretsCache, MemoryProvider } = await import('@portcullis/secrets');
    const cache = createSecretsCache(
      new MemoryProvider({
        secrets: {
          'kek-2026': Buffer.alloc(32, 1).toString('base64'),
          'kek-2025': new Uint8Array(32),
        },
      }),
    );
    const kek = await KeyringKek.fromSecrets(cache, ['kek-2026', 'kek-2025']);
    expect(kek.directKeys().map((k) => k.kid)).toEqual(['kek-2026', 'kek-2025']);
    const envelope = createEnvelope({ kek });
    const sealed = await envelope.seal(new Uint8Array([1, 2]), { id: '1' });
    expect(envelope.describe(sealed).keyId).toBe('kek-2026');
    await cache.close();
  });
});
