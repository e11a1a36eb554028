import type { Redacted } from '@portcullis/core';

/** A version's place in a rotation: the one in use, the one before it, the one being introduced. */
export type SecretStage = 'current' | 'previous' | 'pending';

/** One version of a secret, as a provider returns it. The value never leaves its `Redacted` box. */
export interface SecretVersion {
  /** The secret's name, as asked for. */
  name: string;
  /** The provider's id for this version (AWS `VersionId`, Azure version, a file's content hash…). */
  versionId: string;
  /** The stages this version holds now (may be empty for an old version). */
  stages: readonly SecretStage[];
  /** When the version was created, in milliseconds since the epoch, if the provider knows. */
  createdAt?: number | undefined;
  /** The value: text, or bytes for a binary secret. */
  value: Redacted<string> | Redacted<Uint8Array>;
}

/** What a version listing returns: versions without their values. */
export type SecretVersionInfo = Omit<SecretVersion, 'value'>;

/** Which version to read: a stage (default `'current'`) or an exact version id. */
export type SecretSelector =
  | { stage?: SecretStage; versionId?: never }
  | { versionId: string; stage?: never };

/** Options every provider call takes. */
export interface ProviderCallOptions {
  /** Aborts the call (the cache passes its bounded-call signal here). */
  signal?: AbortSignal | undefined;
}

/**
 * A source of secrets: environment, files, memory, AWS Secrets Manager, Azure Key Vault. Backends
 * implement only the fetch; caching, refresh ahead, last-known-good and rotation live once, in
 * `createSecretsCache` and `createRotator`.
 *
 * Errors are `SecretsError`s with stable codes: `ERR_SECRET_NOT_FOUND` (404), `ERR_SECRET_ACCESS_DENIED`
 * (401/403) and `ERR_SECRET_INVALID` surface at once; `ERR_SECRET_PROVIDER_UNAVAILABLE` (network,
 * 5xx, timeouts) and `ERR_SECRET_THROTTLED` (429 / throttling, with `retryAfterMs` when known) are
 * transient: the cache serves last-known-good through them.
 */
export interface SecretProvider {
  /** A short name for telemetry and messages, e.g. `'env'`, `'aws-secrets-manager'`. */
  readonly kind: string;
  /** Reads one version of a secret; the current one by default. */
  get(
    name: string,
    selector?: SecretSelector,
    options?: ProviderCallOptions,
  ): Promise<SecretVersion>;
  /**
   * The id of the version that holds `stage` now, without fetching the value, where the backend
   * can say it cheaply (AWS stages, Azure versions). The cache uses it to fetch only when the
   * value moved. Absent when the backend cannot.
   */
  currentVersionId?(name: string, options?: ProviderCallOptions): Promise<string>;
  /** The versions of a secret, newest first, without values. */
  listVersions?(name: string, options?: ProviderCallOptions): Promise<readonly SecretVersionInfo[]>;
  /**
   * Subscribes to changes the backend can announce (a watched file was replaced): `listener` gets
   * the name of a secret whose current version may have moved. The cache refreshes that secret at
   * once instead of waiting for its TTL. Returns a function that unsubscribes. Optional.
   */
  watch?(listener: (name: string) => void): () => void;
  /** Releases what the provider holds open (file watchers, timers). Optional. */
  close?(): void | Promise<void>;
}

/** A provider that rotation can write to. Every write is idempotent (safe to repeat after a crash). */
export interface WritableSecretProvider extends SecretProvider {
  /**
   * Stores a new version under `stage` (rotation uses `'pending'`). `token` makes the write
   * idempotent: the same token twice stores one version and returns its id both times (AWS
   * `ClientRequestToken`).
   */
  putVersion(
    name: string,
    value: Redacted<string> | Redacted<Uint8Array>,
    options: { token: string; stage: SecretStage; signal?: AbortSignal | undefined },
  ): Promise<string>;
  /**
   * Moves `stage` onto `versionId` (taking it from whichever version holds it). Moving `'current'`
   * makes the version that held it `'previous'` and clears `'pending'` from the new current.
   * Moving a stage onto the version that already holds it changes nothing.
   */
  moveStage(
    name: string,
    stage: SecretStage,
    versionId: string,
    options?: ProviderCallOptions,
  ): Promise<void>;
  /** Removes `stage` from `versionId` (rotation retires `'previous'` after the grace period). */
  removeStage?(
    name: string,
    stage: SecretStage,
    versionId: string,
    options?: ProviderCallOptions,
  ): Promise<void>;
}
