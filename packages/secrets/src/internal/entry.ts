import type { Cancel } from '@portcullis/core';
import type { ActiveSecret } from '../cache/SecretsCache.ts';
import type { SecretsError } from '../errors/SecretsError.ts';
import type { SecretVersion } from '../SecretProvider.ts';
import { asText } from './values.ts';

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

/** A new entry for a first fetch (its times are set by {@link applyFetched}). */
export function newEntry(name: string, version: SecretVersion, wantsPrevious: boolean): Entry {
  return {
    name,
    version,
    previous: undefined,
    fetchedAt: 0,
    refreshAt: 0,
    expiresAt: 0,
    inflight: undefined,
    failures: 0,
    retryAt: 0,
    lastError: undefined,
    lastForcedAt: 0,
    wantsPrevious,
    readSinceRefresh: true,
    cancelTimer: undefined,
  };
}

/**
 * What a successful refresh does to an entry: the new version (if it moved), the previous one
 * (the provider's stage, or the replaced current for `previousGraceMs`), a new lifetime drawn from
 * `[ttlMs/2, ttlMs]` with its refresh-ahead point, failures cleared. Returns whether current moved
 * and the id it moved from.
 */
export function applyFetched(
  entry: Entry,
  fetched: Fetched,
  now: number,
  o: { ttlMs: number; refreshAheadRatio: number; previousGraceMs: number; random: () => number },
): { moved: boolean; before: string } {
  const before = entry.version;
  // A first fetch built the entry with this very version: not a move.
  const moved = fetched.version !== undefined && fetched.version.versionId !== before.versionId;
  if (fetched.version !== undefined) entry.version = fetched.version;
  if (fetched.previous !== undefined && fetched.previous !== null) {
    entry.previous = { version: fetched.previous, until: Number.POSITIVE_INFINITY };
  } else if (moved) {
    entry.previous = { version: before, until: now + o.previousGraceMs };
  } else if (fetched.previous === null && entry.previous?.until === Number.POSITIVE_INFINITY) {
    entry.previous = undefined; // the provider retired it
  }
  const lifetime = o.ttlMs * (0.5 + 0.5 * o.random());
  entry.fetchedAt = now;
  entry.expiresAt = now + lifetime;
  entry.refreshAt = now + lifetime * o.refreshAheadRatio;
  entry.failures = 0;
  entry.retryAt = 0;
  entry.lastError = undefined;
  entry.readSinceRefresh = false;
  return { moved, before: before.versionId };
}

/** `activeSecrets()`: current, then the held previous while inside its grace. */
export function activeList(entry: Entry, now: number): ActiveSecret[] {
  const list: ActiveSecret[] = [
    { label: 'current', secret: asText(entry.name, entry.version.value) },
  ];
  const held = entry.previous;
  if (
    held !== undefined &&
    held.until > now &&
    held.version.versionId !== entry.version.versionId
  ) {
    list.push({ label: 'previous', secret: asText(entry.name, held.version.value) });
  }
  return list;
}
