import type {
  SecretsManagerClient,
  SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';
import { type Clock, resolveOptions, rules } from '@portcullis/core';

/** Options of {@link AwsSecretsManagerProvider}. */
export interface AwsSecretsManagerProviderOptions {
  /**
   * The client to use, as you configured it (region, credentials, endpoint). Its own retries
   * still apply and add to ours: build it with `maxAttempts: 1` to leave retrying to the provider.
   * Default: a client built from {@link AwsSecretsManagerProviderOptions.clientConfig}.
   */
  client?: SecretsManagerClient | undefined;
  /**
   * Configuration for the client the provider builds when `client` is not given; `maxAttempts`
   * defaults to 1 there (the provider retries throttling itself, on its clock). Default: `{}`
   * (region and credentials from the environment, as the SDK finds them).
   */
  clientConfig?: SecretsManagerClientConfig | undefined;
  /** The bound on each call to the service (one attempt). Milliseconds. Default: 5000. */
  timeoutMs?: number | undefined;
  /** How many times a throttled call is retried before `ERR_SECRET_THROTTLED`. Default: 3. */
  maxThrottleRetries?: number | undefined;
  /** The backoff between throttling retries (full jitter). */
  backoff?: AwsBackoffOptions | undefined;
  /** Time source for timeouts and backoff. Default: `systemClock`. */
  clock?: Clock | undefined;
  /** Random source in `[0, 1)` for the jitter. Default: `Math.random`. */
  random?: (() => number) | undefined;
}

/** The backoff between throttling retries. */
export interface AwsBackoffOptions {
  /** The cap of the first retry's delay. Milliseconds. Default: 100. */
  initialMs?: number | undefined;
  /** The largest delay. Milliseconds. Default: 5000. */
  maxMs?: number | undefined;
}

/**
 * The defaults of {@link AwsSecretsManagerProviderOptions} (the README's defaults table is tested
 * against this object).
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/secrets-aws';
 * DEFAULTS.timeoutMs; // 5000
 * ```
 */
export const DEFAULTS: Readonly<{
  timeoutMs: 5000;
  maxThrottleRetries: 3;
  backoff: Readonly<{ initialMs: 100; maxMs: 5000 }>;
}> = Object.freeze({
  timeoutMs: 5000,
  maxThrottleRetries: 3,
  backoff: Object.freeze({ initialMs: 100, maxMs: 5000 }),
});

/** The options with every default applied. */
export interface ResolvedAwsOptions {
  client: SecretsManagerClient | undefined;
  clientConfig: SecretsManagerClientConfig | undefined;
  timeoutMs: number;
  maxThrottleRetries: number;
  backoff: { initialMs: number; maxMs: number };
  clock: Clock | undefined;
  random: (() => number) | undefined;
}

/** Validates the options once, at construction. */
export function resolveAwsOptions(
  input: AwsSecretsManagerProviderOptions | undefined,
): ResolvedAwsOptions {
  const resolved = resolveOptions<AwsSecretsManagerProviderOptions, typeof DEFAULTS>(
    'options',
    input,
    DEFAULTS,
    {
      client: rules.optional(rules.implementing<SecretsManagerClient>('send')),
      clientConfig: rules.optional(rules.implementing<SecretsManagerClientConfig>()),
      timeoutMs: rules.durationMs(),
      maxThrottleRetries: rules.integer({ min: 0, max: 20 }),
      backoff: rules.object<AwsBackoffOptions, typeof DEFAULTS.backoff>(DEFAULTS.backoff, {
        initialMs: rules.durationMs(),
        maxMs: rules.durationMs(),
      }),
      clock: rules.optional(rules.implementing<Clock>('now', 'sleep', 'schedule')),
      random: rules.optional(rules.func<() => number>()),
    },
  );
  return resolved as ResolvedAwsOptions;
}
