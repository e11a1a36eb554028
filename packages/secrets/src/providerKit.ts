/**
 * `@portcullis/secrets/provider-kit`: what a cloud secrets provider shares with the others — each
 * call to the service bounded by a timeout on the injected clock, throttling retried with
 * full-jitter backoff (or the service's `Retry-After`), and every other failure mapped to a typed
 * `SecretsError` at once. `@portcullis/secrets-aws` and `@portcullis/secrets-azure` are built on it;
 * so can a provider for another manager be. Vendor errors are reduced with `safeCause` from
 * `@portcullis/core`.
 *
 * @example
 * ```ts
 * import { systemClock } from '@portcullis/core';
 * import { SecretsError } from '@portcullis/secrets';
 * import { attempt } from '@portcullis/secrets/provider-kit';
 *
 * const policy = { timeoutMs: 2_000, maxThrottleRetries: 3, backoff: { initialMs: 100, maxMs: 2_000 }, clock: systemClock, random: Math.random };
 * const value = await attempt(
 *   { provider: 'vault', operation: 'read', secretName: 'webhook' },
 *   policy,
 *   () => new SecretsError('ERR_SECRET_PROVIDER_UNAVAILABLE', 'vault: read failed.', { secretName: 'webhook' }),
 *   async (signal) => (await fetch('https://vault.example/v1/secret/webhook', { signal })).text(),
 * );
 * ```
 *
 * @packageDocumentation
 */
export {
  type AttemptPolicy,
  attempt,
  attemptPolicy,
  type CallLabel,
  checkName,
} from './provider-kit/attempt.ts';
