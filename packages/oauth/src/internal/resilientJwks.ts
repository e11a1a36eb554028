import type { Clock, Telemetry } from '@portcullis/core';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
  jwksCache,
} from 'jose';

/** Thrown when keys are needed, the endpoint cannot be reached and no usable last-good set exists. */
export class JwksUnavailable extends Error {
  constructor(cause: unknown) {
    super('The JWKS endpoint cannot be reached and no recent key set is held.', { cause });
  }
}

export type KeyResolver = (
  header: JWSHeaderParameters,
  token: FlattenedJWSInput,
) => Promise<CryptoKey>;

export interface ResilientJwksOptions {
  url: URL;
  timeoutMs: number;
  cooldownMs: number;
  cacheMaxAgeMs: number;
  maxStaleMs: number;
  fetch: typeof fetch | undefined;
  clock: Clock;
  telemetry: Telemetry;
}

// Failures of the key itself (no match, several matches, unsupported) are the token's fault,
// not the endpoint's: they are not answered from the last-good set.
const KEY_ERRORS = new Set([
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * jose's remote JWKS (caching, cooldown against unknown-`kid` floods, one fetch in flight) plus
 * what it lacks: while the endpoint fails, the last key set fetched stays in use (up to
 * `maxStaleMs` after it was fetched), and the endpoint is not asked again for `cooldownMs` —
 * with or without a last-good set, so a flood of tokens during an outage costs one request per
 * cooldown.
 */
export function resilientJwks(options: ResilientJwksOptions): KeyResolver {
  const cache: { jwks?: JSONWebKeySet; uat?: number } = {};
  const remoteOptions: Parameters<typeof createRemoteJWKSet>[1] = {
    timeoutDuration: options.timeoutMs,
    cooldownDuration: options.cooldownMs,
    cacheMaxAge: options.cacheMaxAgeMs,
    [jwksCache]: cache as Record<string, never>,
  };
  if (options.fetch !== undefined) {
    remoteOptions[customFetch] = options.fetch as NonNullable<
      (typeof remoteOptions)[typeof customFetch]
    >;
  }
  const remote = createRemoteJWKSet(options.url, remoteOptions);
  let downUntil = 0;
  let local: { uat: number; resolve: ReturnType<typeof createLocalJWKSet> } | undefined;

  const lastGood = (): ReturnType<typeof createLocalJWKSet> | undefined => {
    const { jwks, uat } = cache;
    if (jwks === undefined || uat === undefined) return undefined;
    if (options.clock.now() - uat > options.maxStaleMs) return undefined;
    if (local?.uat !== uat) local = { uat, resolve: createLocalJWKSet(jwks) };
    return local.resolve;
  };

  return async (header, token) => {
    if (options.clock.now() < downUntil) {
      // The endpoint failed within the cooldown: never ask it again per token.
      const fallback = lastGood();
      if (fallback === undefined) throw new JwksUnavailable(undefined);
      return fallback(header, token);
    }
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JOSEError && KEY_ERRORS.has(error.code)) throw error;
      options.telemetry.count('portcullis.oauth.jwks_failures');
      downUntil = options.clock.now() + options.cooldownMs;
      const fallback = lastGood();
      if (fallback === undefined) throw new JwksUnavailable(error);
      options.telemetry.count('portcullis.oauth.jwks_last_good_used');
      return fallback(header, token);
    }
  };
}
