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
