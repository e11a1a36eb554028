import { type Clock, resolveOptions, rules, systemClock } from '@portcullis/core';
import type { SecretsCacheOptions } from '../cache/SecretsCache.ts';
import { common, DEFAULTS } from './options.ts';

/** The cache's options, validated and complete. */
export type ResolvedCacheOptions = Required<Omit<SecretsCacheOptions, 'telemetry'>> &
  Pick<SecretsCacheOptions, 'telemetry'>;

/** Validates the cache's options once (wrong type, out of range, unknown key) and fills defaults. */
export function resolveCacheOptions(
  options: SecretsCacheOptions | undefined,
): ResolvedCacheOptions {
  return resolveOptions<
    SecretsCacheOptions,
    typeof DEFAULTS.cache & { clock: Clock; random: () => number }
  >(
    'options',
    options,
    { ...DEFAULTS.cache, clock: systemClock, random: Math.random },
    {
      ttlMs: rules.durationMs(),
      maxStaleMs: rules.durationMs({ min: 0 }),
      refreshAheadRatio: rules.number({ min: 0.1, max: 1 }),
      fetchTimeoutMs: rules.durationMs(),
      retryInitialMs: rules.durationMs(),
      retryMaxMs: rules.durationMs(),
      forceRefreshIntervalMs: rules.durationMs({ min: 0 }),
      forceRefreshJitterMs: rules.durationMs({ min: 0 }),
      previousGraceMs: rules.durationMs({ min: 0 }),
      clock: common.clock(),
      random: common.random(),
      telemetry: rules.optional(common.telemetry()),
    },
  );
}
