import { createHmac } from 'node:crypto';
import {
  boundedCall,
  invalidArgument,
  isPortcullisError,
  type Redacted,
  redacted,
  reveal,
  timingSafeEqual,
} from '@portcullis/core';
import { type ApiKeysOptions, resolveApiKeysOptions } from './ApiKeysOptions.ts';
import { ApiKeyError, invalidKey } from './errors/ApiKeyError.ts';
import { newKey, parseKey } from './internal/format.ts';
import { ResultCache } from './internal/ResultCache.ts';
import type { ApiKeyRecord } from './repository/KeyRepository.ts';

/** Who a verified key belongs to and what it may do. */
export interface VerifiedKey {
  /** The key's public id. */
  id: string;
  /** The owner given when the key was issued. */
  owner: string;
  /** The key's name. */
  name: string;
  /** The key's scopes. */
  scopes: readonly string[];
  /** When the key expires (milliseconds since the epoch), or `null`. */
  expiresAt: number | null;
}

/** What {@link ApiKeys.issue} takes. */
export interface IssueOptions {
  /** Who the key belongs to. */
  owner: string;
  /** A name for people. Default: `''`. */
  name?: string;
  /** What the key may do. Default: none. */
  scopes?: readonly string[];
  /** When the key stops working, in milliseconds since the epoch. Default: never. */
  expiresAt?: number;
}

/** A newly issued key: `key` is shown to its owner once and never stored. */
export interface IssuedKey extends VerifiedKey {
  /** The full key, boxed: `reveal(issued.key)` once, to show it to its owner. */
  key: Redacted<string>;
}

/** The API of {@link createApiKeys}. */
export interface ApiKeys {
  /** Issues a key. Only its id and keyed hash are stored. */
  issue(options: IssueOptions): Promise<IssuedKey>;
  /**
   * Verifies a presented key (e.g. the `Authorization: Bearer` or `X-Api-Key` value) and, when
   * `requiredScopes` is given, that it holds each of them. Rejects with `ERR_APIKEY_INVALID`
   * (401, one message for every reason), `ERR_APIKEY_SCOPE_MISSING` (403) or
   * `ERR_APIKEY_REPOSITORY_UNAVAILABLE` (503).
   */
  verify(key: string | Redacted<string>, requiredScopes?: readonly string[]): Promise<VerifiedKey>;
  /** Revokes a key at once (and drops it from this process's cache). */
  revoke(id: string): Promise<void>;
  /**
   * Issues a replacement with the same owner, name and scopes, and ends the old key `overlapMs`
   * from now (`0`: at once, for a leaked key). Both work during the overlap.
   */
  rotate(id: string, options: { overlapMs: number }): Promise<IssuedKey>;
  /** The keys of an owner (ids, names, scopes, times; never secrets). */
  list(
    owner: string,
  ): Promise<
    readonly (VerifiedKey & Pick<ApiKeyRecord, 'createdAt' | 'revokedAt' | 'lastUsedAt'>)[]
  >;
}

function view(record: ApiKeyRecord): VerifiedKey {
  return {
    id: record.id,
    owner: record.owner,
    name: record.name,
    scopes: record.scopes,
    expiresAt: record.expiresAt,
  };
}

const DUMMY_HASH = '0'.repeat(64);

/**
 * API keys for partners and services calling you: `<prefix>_` + 16-character id + 32-character
 * secret (base62, ~190 random bits) + 6-character checksum (typos refused without a lookup; secret
 * scanners can recognise the format). Only the id and an HMAC-SHA-256 of the key with a pepper from
 * your secrets manager are stored; verification compares in constant time, caches results briefly
 * and answers one `401` for every kind of bad key.
 *
 * @example
 * ```ts
 * import { reveal } from '@portcullis/core';
 * import { createApiKeys, MemoryKeyRepository } from '@portcullis/apikeys';
 * const keys = createApiKeys({
 *   prefix: 'pc_test',
 *   pepper: 'use-a-32-byte-pepper-from-your-secrets-manager',
 *   repository: new MemoryKeyRepository(),
 * });
 * const issued = await keys.issue({ owner: 'acme', name: 'orders sync', scopes: ['orders:read'] });
 * const shownOnce = reveal(issued.key);
 * const who = await keys.verify(shownOnce, ['orders:read']); // { id, owner: 'acme', scopes, … }
 * ```
 */
export function createApiKeys(options: ApiKeysOptions): ApiKeys {
  const o = resolveApiKeysOptions(options);
  const prefixes = [o.prefix];
  const cache = new ResultCache(o.cacheMaxEntries);
  const inflight = new Map<string, Promise<ApiKeyRecord | ApiKeyError>>();
  const touched = new Map<string, number>();

  async function pepper(): Promise<string> {
    const source = typeof o.pepper === 'function' ? await o.pepper() : o.pepper;
    const value = reveal(source);
    if (typeof value !== 'string' || Buffer.byteLength(value) < 32) {
      throw invalidArgument('options.pepper', 'a secret of at least 32 bytes', 'value');
    }
    return value;
  }

  const hash = async (key: string): Promise<string> =>
    createHmac('sha256', await pepper())
      .update(key)
      .digest('hex');

  function repo<T>(what: string, call: () => Promise<T>): Promise<T> {
    return boundedCall(() => call(), {
      timeoutMs: o.repositoryTimeoutMs,
      clock: o.clock,
      onTimeout: () =>
        new ApiKeyError(
          'ERR_APIKEY_REPOSITORY_UNAVAILABLE',
          `The API key repository did not answer ${what} in time.`,
        ),
    }).catch((error: unknown) => {
      if (isPortcullisError(error, 'ERR_APIKEY_REPOSITORY_UNAVAILABLE')) throw error;
      throw new ApiKeyError(
        'ERR_APIKEY_REPOSITORY_UNAVAILABLE',
        `The API key repository failed ${what}.`,
        { cause: error },
      );
    });
  }

  /** Looks the key up and checks its hash: the record, or the refusal. Never cached here. */
  async function lookUp(id: string, digest: string): Promise<ApiKeyRecord | ApiKeyError> {
    const record = await repo('a lookup', () => o.repository.findById(id));
    // Compare even when the id is unknown, so both paths do the same work on the secret.
    const matches = timingSafeEqual(digest, record?.hash ?? DUMMY_HASH);
    if (record === undefined) return invalidKey('unknown');
    if (!matches) return invalidKey('mismatch');
    return record;
  }

  function touch(record: ApiKeyRecord, now: number): void {
    const last = Math.max(touched.get(record.id) ?? 0, record.lastUsedAt ?? 0);
    if (now - last < o.lastUsedResolutionMs && last !== 0) return;
    touched.set(record.id, now);
    if (touched.size > o.cacheMaxEntries) touched.delete(touched.keys().next().value as string);
    repo('a last-used update', () => o.repository.update(record.id, { lastUsedAt: now })).catch(
      () => {
        o.telemetry.count('portcullis.apikeys.last_used_failures');
      },
    );
  }

  function check(
    record: ApiKeyRecord,
    requiredScopes: readonly string[] | undefined,
    now: number,
  ): VerifiedKey {
    if (record.revokedAt !== null && record.revokedAt <= now) throw invalidKey('revoked');
    if (record.expiresAt !== null && record.expiresAt <= now) throw invalidKey('expired');
    if (requiredScopes !== undefined && requiredScopes.length > 0) {
      const missing = requiredScopes.filter((s) => !record.scopes.includes(s));
      if (missing.length > 0) {
        throw new ApiKeyError('ERR_APIKEY_SCOPE_MISSING', 'The API key lacks a required scope.', {
          missingScopes: missing,
        });
      }
    }
    return view(record);
  }

  async function issueRecord(issue: IssueOptions, rotatedFrom: string | null): Promise<IssuedKey> {
    if (typeof issue?.owner !== 'string' || issue.owner.length === 0)
      throw invalidArgument('owner', 'a non-empty string');
    const scopes = issue.scopes ?? [];
    if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw invalidArgument('scopes', 'an array of non-empty strings');
    }
    if (issue.expiresAt !== undefined && !Number.isFinite(issue.expiresAt)) {
      throw invalidArgument('expiresAt', 'milliseconds since the epoch', 'value');
    }
    const { id, key } = newKey(o.prefix);
    const record: ApiKeyRecord = {
      id,
      prefix: o.prefix,
      hash: await hash(key),
      name: issue.name ?? '',
      owner: issue.owner,
      scopes: [...scopes],
      createdAt: o.clock.now(),
      expiresAt: issue.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
      rotatedFrom,
    };
    await repo('an insert', () => o.repository.insert(record));
    o.telemetry.count('portcullis.apikeys.issued');
    return { ...view(record), key: redacted(key) };
  }

  return {
    issue: (issue) => issueRecord(issue, null),

    async verify(presented, requiredScopes) {
      const key = reveal(presented);
      if (typeof key !== 'string') throw invalidKey('malformed');
      const parsed = parseKey(key, prefixes);
      if (parsed === 'malformed' || parsed === 'checksum') {
        o.telemetry.count('portcullis.apikeys.refused', 1, { refusal: parsed });
        throw invalidKey(parsed);
      }
      const digest = await hash(key);
      const now = o.clock.now();
      let outcome = o.cacheTtlMs > 0 ? cache.get(digest, now) : undefined;
      if (outcome === undefined) {
        let pending = inflight.get(digest);
        if (pending === undefined) {
          pending = lookUp(parsed.id, digest).finally(() => inflight.delete(digest));
          inflight.set(digest, pending);
        }
        outcome = await pending;
        if (o.cacheTtlMs > 0) cache.set(digest, outcome, now + o.cacheTtlMs);
      }
      try {
        if (outcome instanceof ApiKeyError) throw invalidKey(outcome.refusal ?? 'unknown');
        const verified = check(outcome, requiredScopes, now);
        touch(outcome, now);
        o.telemetry.count('portcullis.apikeys.accepted');
        return verified;
      } catch (error) {
        if (error instanceof ApiKeyError)
          o.telemetry.count('portcullis.apikeys.refused', 1, { refusal: error.refusal ?? 'scope' });
        throw error;
      }
    },

    async revoke(id) {
      const ok = await repo('a revoke', () =>
        o.repository.update(id, { revokedAt: o.clock.now() }),
      );
      cache.dropId(id);
      if (!ok) throw new ApiKeyError('ERR_APIKEY_NOT_FOUND', 'No API key has that id.');
    },

    async rotate(id, { overlapMs }) {
      if (typeof overlapMs !== 'number' || !Number.isFinite(overlapMs) || overlapMs < 0) {
        throw invalidArgument('overlapMs', 'a number of milliseconds ≥ 0', 'value');
      }
      const old = await repo('a lookup', () => o.repository.findById(id));
      if (old === undefined)
        throw new ApiKeyError('ERR_APIKEY_NOT_FOUND', 'No API key has that id.');
      const next = await issueRecord(
        {
          owner: old.owner,
          name: old.name,
          scopes: old.scopes,
          ...(old.expiresAt === null ? {} : { expiresAt: old.expiresAt }),
        },
        old.id,
      );
      // The new key exists before the old one is cut short: a failure here leaves both valid
      // (retry the rotation), never neither.
      await repo('an expiry update', () =>
        o.repository.update(id, { expiresAt: o.clock.now() + overlapMs }),
      );
      cache.dropId(id);
      return next;
    },

    async list(owner) {
      const records = await repo('a listing', () => o.repository.listByOwner(owner));
      return records.map((r) => ({
        ...view(r),
        createdAt: r.createdAt,
        revokedAt: r.revokedAt,
        lastUsedAt: r.lastUsedAt,
      }));
    },
  };
}
