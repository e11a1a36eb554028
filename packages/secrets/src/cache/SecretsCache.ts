import type { Clock, Redacted, Telemetry } from '@portcullis/core';
import type { SecretVersion } from '../SecretProvider.ts';

/** Options for {@link createSecretsCache}. Durations in milliseconds. */
export interface SecretsCacheOptions {
  /**
   * How long a fetched value is used before it is checked again. Each entry's lifetime is drawn
   * from `[ttlMs/2, ttlMs]`, so a fleet started together does not refresh in step. Default: 300000.
   */
  ttlMs?: number;
  /**
   * How long past its last successful fetch a value may still be served while the provider fails
   * with a transient error (network, 5xx, throttling): last-known-good. Past it, `ERR_SECRET_STALE`.
   * Default: 3600000.
   */
  maxStaleMs?: number;
  /**
   * The part of an entry's lifetime after which it is refreshed in the background (by a timer, or
   * by the next read), so callers never wait for a refresh. Default: 0.9.
   */
  refreshAheadRatio?: number;
  /** Bound on one provider call (a fetch that hangs is a transient failure). Default: 10000. */
  fetchTimeoutMs?: number;
  /** First delay before retrying a failed background refresh (backoff, full jitter). Default: 1000. */
  retryInitialMs?: number;
  /** Largest delay between retries of a failing refresh. Default: 60000. */
  retryMaxMs?: number;
  /**
   * A `forceRefresh` read calls the provider at most once per this interval per secret (and not
   * within it of the last fetch); others get the cached value. Default: 10000.
   */
  forceRefreshIntervalMs?: number;
  /**
   * A forced refresh waits a random delay up to this long before calling the provider, so a fleet
   * that sees the same auth failure does not call in step. `0` turns it off. Default: 1000.
   */
  forceRefreshJitterMs?: number;
  /**
   * When the provider has no `previous` stage (env, plain files) and a refresh sees `current`
   * move, `activeSecrets` keeps the old value as previous for this long. Default: 900000.
   */
  previousGraceMs?: number;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Random numbers in `[0, 1)` for the lifetime spread and jitter. Default: `Math.random`. */
  random?: () => number;
  /** Where counters go. Default: `telemetry('@portcullis/secrets')`. */
  telemetry?: Telemetry;
}

/** Per-read options. */
export interface SecretReadOptions {
  /**
   * Refuse a cached value older than this (milliseconds since its last successful fetch): the read
   * waits for a refresh and fails with `ERR_SECRET_STALE` if it cannot get one.
   */
  maxAgeMs?: number;
  /**
   * Ask the provider again now (after a downstream auth failure, say). Rate-limited by
   * `forceRefreshIntervalMs` and jittered by `forceRefreshJitterMs`.
   */
  forceRefresh?: boolean;
}

/** A version as the cache serves it: how old it is and whether it is last-known-good. */
export interface CachedSecret extends SecretVersion {
  /** When the provider last confirmed this version (milliseconds since the epoch). */
  fetchedAt: number;
  /** Milliseconds since `fetchedAt`. */
  ageMs: number;
  /** `true` when served past its lifetime because the provider is failing (last-known-good). */
  stale: boolean;
}

/** The shape of a secret the webhook signer and verifier take: a label safe to log, the secret. */
export interface ActiveSecret {
  /** `'current'` or `'previous'`. */
  label: 'current' | 'previous';
  secret: Redacted<string>;
}

/**
 * Resolves the active secrets of one name, current first: pass it as `secrets` to
 * `createSigner` / `createVerifier` of `@portcullis/webhooks`; `verify()` reports which label
 * matched.
 */
export type ActiveSecretsResolver = () => Promise<ActiveSecret[]>;

/** A zod schema, or anything with zod's `safeParse` (zod is an optional peer). */
export interface JsonSchema<T> {
  /** Checks `data` without throwing (zod's `safeParse`). */
  safeParse(data: unknown):
    | { success: true; data: T }
    | {
        success: false;
        error: { issues: readonly { path: readonly PropertyKey[]; code?: string | undefined }[] };
      };
}

/** What an `onChange` listener gets: the new version (value still boxed) and the one before. */
export interface SecretChange {
  name: string;
  version: SecretVersion;
  previousVersionId: string;
}

/** A cache in front of one {@link SecretProvider}; see {@link createSecretsCache}. */
export interface SecretsCache {
  /** The current value as text (`ERR_SECRET_INVALID` for a binary secret). */
  get(name: string, options?: SecretReadOptions): Promise<Redacted<string>>;
  /** The current value as bytes (text is UTF-8 encoded). */
  getBytes(name: string, options?: SecretReadOptions): Promise<Redacted<Uint8Array>>;
  /** The current version with its metadata, age and staleness. */
  getVersion(name: string, options?: SecretReadOptions): Promise<CachedSecret>;
  /**
   * The current value parsed as JSON and checked by `schema` (zod). A value that is not JSON or
   * does not match is `ERR_SECRET_INVALID`, whose message names paths and issue codes, never the
   * value. The parsed result is kept per version and schema.
   */
  getJson<T>(name: string, schema: JsonSchema<T>, options?: SecretReadOptions): Promise<T>;
  /** Current and previous (while inside its grace), as the webhook signer/verifier take them. */
  activeSecrets(name: string): ActiveSecretsResolver;
  /** A function returning the current value: a `SecretSource` for `@portcullis/oauth`'s `clientAuth.secret`. */
  secretSource(name: string): () => Promise<Redacted<string>>;
  /**
   * Calls `listener` when a refresh brings a new current version of `name` (the secret must have
   * been read once). A secret with listeners is refreshed on schedule even when nobody reads it.
   * Returns a function that removes the listener. Listener errors are ignored.
   */
  onChange(name: string, listener: (change: SecretChange) => void): () => void;
  /** Stops timers and the provider subscription; later reads reject. Does not close the provider. */
  close(): Promise<void>;
}
