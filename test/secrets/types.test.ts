// Type-level checks across packages: what the secrets cache returns is exactly what the webhook
// signer/verifier and the OAuth client take, with no adapter.
import type { SecretSource } from '@portcullis/core';
import type { TokenProviderOptions } from '@portcullis/oauth';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import type { SignerOptions, VerifierOptions } from '@portcullis/webhooks';
import { expectTypeOf, it } from 'vitest';

it('activeSecrets() is a webhooks `secrets` option; secretSource() is a core SecretSource', async () => {
  const cache = createSecretsCache(new MemoryProvider({ secrets: { s: 'x' } }));
  expectTypeOf(cache.activeSecrets('s')).toExtend<VerifierOptions['secrets']>();
  expectTypeOf(cache.activeSecrets('s')).toExtend<SignerOptions['secrets']>();
  expectTypeOf(cache.secretSource('s')).toExtend<SecretSource>();
  expectTypeOf<TokenProviderOptions>().toHaveProperty('clientAuth');
  await cache.close();
});
