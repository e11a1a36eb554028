import { boundedCall, type Clock, type Telemetry } from '@portcullis/core';
import {
  createLocalJWKSet,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { JwksUnavailable } from './JwksUnavailable.ts';

export type KeyResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>;

export interface JwksCacheOptions {
  url: URL;
  timeoutMs: number;
  cooldownMs: number;
  cacheMaxAgeMs: number;
  maxStaleMs: number;
  fetch: typeof fetch | undefined;
  clock: Clock;
  telemetry: Telemetry;
}

/** A JWKS response is small; more than this is not a key set. */
const MAX_JWKS_BYTES = 512 * 1024;

interface KeySet {
  fetchedAt: number;
  resolve: ReturnType<typeof createLocalJWKSet>;
}

/**
 * The issuer's keys, stale-while-revalidate, all on the injected clock:
 * - a token whose key is in the held set is verified with it at once; when the set is older than
 *   `cacheMaxAgeMs`, one refresh starts in the background (a hanging endpoint stalls nobody);
 * - a token with an unknown `kid` waits for one fetch (bounded by `timeoutMs`), at most one per
 *   `cooldownMs` (a flood of made-up `kid`s costs one request per cooldown);
 * - with no set, or one older than `maxStaleMs`, a verify waits for a fetch; a fetch that failed
 *   is not retried within `cooldownMs`.
 * One fetch at a time, shared by every caller.
 */
export function jwksCache(o: JwksCacheOptions): KeyResolver {
  let held: KeySet | undefined;
  let inflight: Promise<KeySet> | undefined;
  let lastAttemptAt = Number.NEGATIVE_INFINITY;
  let lastFailureAt = Number.NEGATIVE_INFINITY;
  let lastError: unknown;

  const fetchKeys = (): Promise<KeySet> => {
    if (inflight !== undefined) return inflight;
    lastAttemptAt = o.clock.now();
    const attempt = boundedCall(
      async (signal) => {
        const response = await (o.fetch ?? globalThis.fetch)(o.url.href, {
          headers: { accept: 'application/json, application/jwk-set+json' },
          redirect: 'manual',
          signal,
        });
        if (response.status !== 200) {
          await response.body?.cancel().catch(() => {});
          throw new Error(`The JWKS endpoint answered ${response.status}.`);
        }
        const text = await response.text();
        if (text.length > MAX_JWKS_BYTES) throw new Error('The JWKS response is too large.');
        const jwks = JSON.parse(text) as JSONWebKeySet;
        if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
          throw new Error('The JWKS response is not a key set.');
        }
        return { fetchedAt: o.clock.now(), resolve: createLocalJWKSet(jwks) };
      },
      {
        clock: o.clock,
        timeoutMs: o.timeoutMs,
        onTimeout: () => new Error(`The JWKS endpoint did not answer within ${o.timeoutMs} ms.`),
      },
    ).then(
      (set) => {
        held = set;
        lastError = undefined;
        return set;
      },
      (error: unknown) => {
        lastError = error;
        lastFailureAt = o.clock.now();
        o.telemetry.count('portcullis.oauth.jwks_failures');
        throw error;
      },
    );
    inflight = attempt.finally(() => {
      inflight = undefined;
    });
    inflight.catch(() => {});
    return inflight;
  };

  /** Within `cooldownMs` of the last fetch (unknown kids) or of the last failed one (all). */
  const since = (at: number): boolean => o.clock.now() - at < o.cooldownMs;

  /** The held set if it may still be used (not older than maxStaleMs). */
  const usable = (): KeySet | undefined =>
    held !== undefined && o.clock.now() - held.fetchedAt <= o.maxStaleMs ? held : undefined;

  return async (header, token) => {
    const set = usable();
    if (set !== undefined) {
      try {
        const key = await set.resolve(header, token);
        if (lastError !== undefined) o.telemetry.count('portcullis.oauth.jwks_last_good_used');
        if (o.clock.now() - set.fetchedAt >= o.cacheMaxAgeMs && !since(lastFailureAt)) {
          fetchKeys().catch(() => {}); // in the background: this verify does not wait
        }
        return key;
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
        // An unknown kid: maybe rotated keys. One fetch per cooldown; otherwise it is unknown.
        if (since(lastAttemptAt)) throw error;
        const fresh = await fetchKeys().catch(() => undefined);
        if (fresh === undefined) throw error;
        return fresh.resolve(header, token);
      }
    }
    if (since(lastFailureAt) && inflight === undefined) {
      if (held !== undefined) o.telemetry.count('portcullis.oauth.jwks_last_good_used');
      throw new JwksUnavailable(lastError);
    }
    try {
      return (await fetchKeys()).resolve(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError) throw error;
      throw new JwksUnavailable(error);
    }
  };
}
