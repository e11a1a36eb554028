import { type Clock, rules, type Store, systemClock, type Telemetry } from '@portcullis/core';

/**
 * Every default of `@portcullis/secrets`, in one place (the README's defaults table is tested
 * against it). Durations in milliseconds.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/secrets';
 * DEFAULTS.cache.ttlMs; // 300000
 * ```
 */
export const DEFAULTS: {
  readonly cache: {
    readonly ttlMs: number;
    readonly maxStaleMs: number;
    readonly refreshAheadRatio: number;
    readonly fetchTimeoutMs: number;
    readonly retryInitialMs: number;
    readonly retryMaxMs: number;
    readonly forceRefreshIntervalMs: number;
    readonly forceRefreshJitterMs: number;
    readonly previousGraceMs: number;
  };
  readonly rotator: {
    readonly lockTtlMs: number;
    readonly stepTimeoutMs: number;
    readonly checkIntervalMs: number;
  };
  readonly file: {
    readonly watch: 'auto' | 'poll' | 'off';
    readonly pollIntervalMs: number;
    readonly settleMs: number;
    readonly maxBytes: number;
    readonly trimTrailingNewline: boolean;
  };
  readonly env: { readonly prefix: string };
} = Object.freeze({
  cache: Object.freeze({
    ttlMs: 300_000,
    maxStaleMs: 3_600_000,
    refreshAheadRatio: 0.9,
    fetchTimeoutMs: 10_000,
    retryInitialMs: 1000,
    retryMaxMs: 60_000,
    forceRefreshIntervalMs: 10_000,
    forceRefreshJitterMs: 1000,
    previousGraceMs: 900_000,
  }),
  rotator: Object.freeze({ lockTtlMs: 300_000, stepTimeoutMs: 30_000, checkIntervalMs: 60_000 }),
  file: Object.freeze({
    watch: 'auto' as const,
    pollIntervalMs: 5000,
    settleMs: 100,
    maxBytes: 65_536,
    trimTrailingNewline: true,
  }),
  env: Object.freeze({ prefix: '' }),
});

/** Rules shared by several resolvers. */
export const common = {
  clock: (): ReturnType<typeof rules.implementing<Clock>> =>
    rules.implementing<Clock>('now', 'sleep', 'schedule'),
  telemetry: (): ReturnType<typeof rules.implementing<Telemetry>> =>
    rules.implementing<Telemetry>('count', 'record', 'span'),
  store: (): ReturnType<typeof rules.implementing<Store>> =>
    rules.implementing<Store>('get', 'set', 'setIfAbsent', 'delete', 'compareAndDelete'),
  random: (): ReturnType<typeof rules.func<() => number>> => rules.func<() => number>(),
};

export { systemClock };
