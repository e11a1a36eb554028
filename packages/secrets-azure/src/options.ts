import type { TokenCredential } from '@azure/core-auth';
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import { type Clock, resolveOptions, rules } from '@portcullis/core';

/** Options of {@link AzureKeyVaultProvider}. */
export interface AzureKeyVaultProviderOptions {
  /**
   * The client to use, as you configured it. Its own retries still apply and add to ours: build
   * it with `retryOptions: { maxRetries: 0 }` to leave retrying to the provider. Default: a
   * client built from `vaultUrl`, `credential` and `clientOptions`.
   */
  client?: SecretClient | undefined;
  /** The vault, e.g. `https://my-vault.vault.azure.net`, when the provider builds the client. */
  vaultUrl?: string | undefined;
  /** An `@azure/identity` credential (any `TokenCredential`), when the provider builds the client. */
  credential?: TokenCredential | undefined;
  /**
   * Options for the client the provider builds; `retryOptions.maxRetries` defaults to 0 there (the
   * provider retries throttling itself, on its clock). Default: none.
   */
  clientOptions?: SecretClientOptions | undefined;
  /** The tag that holds a version's stages (`current`, `previous`, `pending`). Default: `'portcullis-stage'`. */
  stageTag?: string | undefined;
  /** The tag that holds a write's idempotency token (hashed). Default: `'portcullis-token'`. */
  tokenTag?: string | undefined;
  /** The bound on each call to the vault (one attempt; a listing is one call). Milliseconds. Default: 5000. */
  timeoutMs?: number | undefined;
  /** How many times a throttled call is retried before `ERR_SECRET_THROTTLED`. Default: 3. */
  maxThrottleRetries?: number | undefined;
  /** The backoff between throttling retries (full jitter). */
  backoff?: AzureBackoffOptions | undefined;
  /** The longest `Retry-After` honoured. Milliseconds. Default: 20000. */
  maxRetryAfterMs?: number | undefined;
  /** Time source for timeouts, backoff and the `expiresOn`/`notBefore` checks. Default: `systemClock`. */
  clock?: Clock | undefined;
  /** Random source in `[0, 1)` for the jitter. Default: `Math.random`. */
  random?: (() => number) | undefined;
}

/** The backoff between throttling retries. */
export interface AzureBackoffOptions {
  /** The cap of the first retry's delay. Milliseconds. Default: 100. */
  initialMs?: number | undefined;
  /** The largest delay. Milliseconds. Default: 5000. */
  maxMs?: number | undefined;
}

/**
 * The defaults of {@link AzureKeyVaultProviderOptions} (the README's defaults table is tested
 * against this object).
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/secrets-azure';
 * DEFAULTS.stageTag; // 'portcullis-stage'
 * ```
 */
export const DEFAULTS: Readonly<{
  stageTag: 'portcullis-stage';
  tokenTag: 'portcullis-token';
  timeoutMs: 5000;
  maxThrottleRetries: 3;
  backoff: Readonly<{ initialMs: 100; maxMs: 5000 }>;
  maxRetryAfterMs: 20000;
}> = Object.freeze({
  stageTag: 'portcullis-stage',
  tokenTag: 'portcullis-token',
  timeoutMs: 5000,
  maxThrottleRetries: 3,
  backoff: Object.freeze({ initialMs: 100, maxMs: 5000 }),
  maxRetryAfterMs: 20000,
});

/** The options with every default applied. */
export interface ResolvedAzureOptions {
  client: SecretClient | undefined;
  vaultUrl: string | undefined;
  credential: TokenCredential | undefined;
  clientOptions: SecretClientOptions | undefined;
  stageTag: string;
  tokenTag: string;
  timeoutMs: number;
  maxThrottleRetries: number;
  backoff: { initialMs: number; maxMs: number };
  maxRetryAfterMs: number;
  clock: Clock | undefined;
  random: (() => number) | undefined;
}

/** Validates the options once, at construction. */
export function resolveAzureOptions(
  input: AzureKeyVaultProviderOptions | undefined,
): ResolvedAzureOptions {
  return resolveOptions<AzureKeyVaultProviderOptions, typeof DEFAULTS>('options', input, DEFAULTS, {
    client: rules.optional(
      rules.implementing<SecretClient>(
        'getSecret',
        'setSecret',
        'updateSecretProperties',
        'listPropertiesOfSecretVersions',
      ),
    ),
    vaultUrl: rules.optional(rules.string()),
    credential: rules.optional(rules.implementing<TokenCredential>('getToken')),
    clientOptions: rules.optional(rules.implementing<SecretClientOptions>()),
    stageTag: rules.string(),
    tokenTag: rules.string(),
    timeoutMs: rules.durationMs(),
    maxThrottleRetries: rules.integer({ min: 0, max: 20 }),
    backoff: rules.object<AzureBackoffOptions, typeof DEFAULTS.backoff>(DEFAULTS.backoff, {
      initialMs: rules.durationMs(),
      maxMs: rules.durationMs(),
    }),
    maxRetryAfterMs: rules.durationMs({ min: 0 }),
    clock: rules.optional(rules.implementing<Clock>('now', 'sleep', 'schedule')),
    random: rules.optional(rules.func<() => number>()),
  }) as ResolvedAzureOptions;
}
