import type { Cancel } from '@portcullis/core';
import type { SecretsError } from '../errors/SecretsError.ts';
import type { SecretVersion } from '../SecretProvider.ts';

/** A previous version `activeSecrets` may offer, and until when (Infinity: the provider's stage). */
export interface HeldPrevious {
  version: SecretVersion;
  until: number;
}

/** One cached secret. */
export interface Entry {
  name: string;
  version: SecretVersion;
  previous: HeldPrevious | undefined;
  fetchedAt: number;
  refreshAt: number;
  expiresAt: number;
  inflight: Promise<Entry> | undefined;
  failures: number;
  retryAt: number;
  lastError: SecretsError | undefined;
  lastForcedAt: number;
  wantsPrevious: boolean;
  readSinceRefresh: boolean;
  cancelTimer: Cancel | undefined;
}

/** What one refresh brought back. */
export interface Fetched {
  /** `undefined` when the provider said the current version did not move. */
  version: SecretVersion | undefined;
  /** The provider's previous, `null` when it has none, `undefined` when not asked or unknown. */
  previous: SecretVersion | null | undefined;
}
