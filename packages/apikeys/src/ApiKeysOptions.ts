import {
  type Clock,
  invalidArgument,
  resolveOptions,
  rules,
  type SecretSource,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import { PREFIX } from './internal/format.ts';
import type { KeyRepository } from './repository/KeyRepository.ts';

/** Options for {@link createApiKeys}. */
export interface ApiKeysOptions {
  /**
   * The prefix of keys this instance issues and accepts: lower-case letters and digits, one
   * optional underscore (`'pc_live'`, `'acme'`). Pick one a secret scanner can be taught.
   */
  prefix: string;
  /**
   * The pepper: the HMAC key the stored hashes are made with, from your secrets manager (e.g. a
   * `@portcullis/secrets` cache: `() => cache.get('apikey-pepper')`). At least 32 bytes. A
   * function is called on every hash, so a rotated value is used at once.
   */
  pepper: SecretSource;
  /** Where key records are stored. */
  repository: KeyRepository;
  /** How long a verification result (accepted or refused) is reused. Milliseconds; `0` turns the cache off. Default: 5000. */
  cacheTtlMs?: number;
  /** Most verification results held. Default: 10000. */
  cacheMaxEntries?: number;
  /** The bound on each repository call. Milliseconds. Default: 2000. */
  repositoryTimeoutMs?: number;
  /** `lastUsedAt` is written at most once per this interval per key. Milliseconds. Default: 60000. */
  lastUsedResolutionMs?: number;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Where counters go. Default: `telemetry('@portcullis/apikeys')`. */
  telemetry?: Telemetry;
}

/** The defaults of {@link ApiKeysOptions}, in one place. */
export const DEFAULTS: {
  readonly cacheTtlMs: 5000;
  readonly cacheMaxEntries: 10000;
  readonly repositoryTimeoutMs: 2000;
  readonly lastUsedResolutionMs: 60000;
} = Object.freeze({
  cacheTtlMs: 5000,
  cacheMaxEntries: 10_000,
  repositoryTimeoutMs: 2000,
  lastUsedResolutionMs: 60_000,
});

/** {@link ApiKeysOptions} checked and complete. */
export interface ResolvedApiKeysOptions {
  prefix: string;
  pepper: SecretSource;
  repository: KeyRepository;
  cacheTtlMs: number;
  cacheMaxEntries: number;
  repositoryTimeoutMs: number;
  lastUsedResolutionMs: number;
  clock: Clock;
  telemetry: Telemetry;
}

export function resolveApiKeysOptions(options: ApiKeysOptions): ResolvedApiKeysOptions {
  const resolved = resolveOptions<ApiKeysOptions, typeof DEFAULTS & { clock: Clock }>(
    'options',
    options,
    { ...DEFAULTS, clock: systemClock },
    {
      prefix: rules.custom((value, path) => {
        if (typeof value !== 'string') throw invalidArgument(path, 'a string');
        if (!PREFIX.test(value))
          throw invalidArgument(
            path,
            'lower-case letters and digits with at most one underscore, 1-32 characters',
            'value',
          );
        return value;
      }),
      pepper: rules.custom((value, path) => {
        if (
          typeof value !== 'string' &&
          typeof value !== 'function' &&
          (typeof value !== 'object' || value === null)
        ) {
          throw invalidArgument(path, 'a string, a Redacted string or a function resolving one');
        }
        return value as SecretSource;
      }),
      repository: rules.implementing<KeyRepository>('insert', 'findById', 'update', 'listByOwner'),
      cacheTtlMs: rules.durationMs({ min: 0 }),
      cacheMaxEntries: rules.integer({ max: 10_000_000 }),
      repositoryTimeoutMs: rules.durationMs(),
      lastUsedResolutionMs: rules.durationMs({ min: 0 }),
      clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
      telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record', 'span')),
    },
  );
  return {
    ...resolved,
    telemetry: resolved.telemetry ?? telemetry('@portcullis/apikeys'),
  } as ResolvedApiKeysOptions;
}
