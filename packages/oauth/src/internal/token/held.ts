import { redacted } from '@portcullis/core';
import { OAuthError } from '../../errors/OAuthError.ts';
import type { ResolvedPolicy } from '../../options/resolveProviderOptions.ts';
import type { AccessToken } from '../../token/AccessToken.ts';
import type { SharedRecord } from '../fleet/sharedRecord.ts';
import { fingerprint } from './fingerprint.ts';
import { isHeaderSafeToken } from './tokenValue.ts';

/** The fields of a token endpoint response we read (openid-client has checked their types). */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  scope?: string;
  [parameter: string]: unknown;
}

/** A token held in a cache entry, with its timing. */
export interface Held {
  token: AccessToken;
  /** Resolved with `token`: a cache hit returns it without allocating. */
  promise: Promise<AccessToken>;
  /** From here on, a call starts a background refresh. */
  refreshAt: number;
  /** From here on (expiry minus the skew margin), the token is never served. */
  usableUntil: number;
  /** Whether a caller asked for it: idle tokens are not refreshed by the timer. */
  used: boolean;
  /** The JSON written to or read from the shared store. */
  record: string;
  /** Read from the fleet store (another process's request), not received by this process. */
  adopted: boolean;
}

/**
 * Applies the token response rules (see the README): refuses a response without a usable token,
 * type or lifetime, and a token that is not DPoP-bound when `dpop` (DPoP was asked for: a Bearer
 * answer would be sent without a proof, a silent downgrade); fills in and caps the lifetime,
 * timed from `sentAt`.
 */
export function fromResponse(
  response: TokenResponse,
  sentAt: number,
  requestedScopes: readonly string[],
  policy: ResolvedPolicy,
  random: () => number,
  dpop: boolean,
): Held {
  const invalid = (why: string): OAuthError =>
    new OAuthError('ERR_OAUTH_INVALID_RESPONSE', `The token response was refused: ${why}.`);
  if (typeof response.access_token !== 'string' || response.access_token === '') {
    throw invalid('no access_token');
  }
  if (!isHeaderSafeToken(response.access_token)) {
    throw invalid('access_token holds characters an Authorization header cannot carry');
  }
  const tokenType = String(response.token_type).toLowerCase();
  if (tokenType !== 'bearer' && tokenType !== 'dpop') {
    throw invalid('token_type is not Bearer or DPoP');
  }
  if (dpop && tokenType !== 'dpop') throw invalid('token_type is not DPoP although DPoP was used');
  // Rule: no expires_in → defaultLifetimeSec; under one second (zero, negative) or not a
  // number → refused (and retried with backoff); longer than maxLifetimeSec → cut to it.
  let lifetimeSec = response.expires_in ?? policy.defaultLifetimeSec;
  if (typeof lifetimeSec !== 'number' || !Number.isFinite(lifetimeSec) || lifetimeSec < 1) {
    throw invalid('expires_in is not a number of at least one second');
  }
  lifetimeSec = Math.min(lifetimeSec, policy.maxLifetimeSec);
  const refreshIn = response.refresh_in;
  const record: SharedRecord = {
    v: 1,
    t: response.access_token,
    ty: tokenType === 'dpop' ? 'DPoP' : 'Bearer',
    s:
      typeof response.scope === 'string'
        ? response.scope.split(' ').filter(Boolean)
        : [...requestedScopes],
    iat: sentAt,
    exp: sentAt + Math.round(lifetimeSec * 1000),
  };
  if (
    typeof refreshIn === 'number' &&
    Number.isFinite(refreshIn) &&
    refreshIn > 0 &&
    refreshIn < lifetimeSec
  ) {
    record.rin = Math.round(refreshIn * 1000);
  }
  return toHeld(record, JSON.stringify(record), policy, random, false);
}

/** Times a token: the skew margin (capped at a quarter of the lifetime) and a jittered refresh moment. */
export function toHeld(
  record: SharedRecord,
  raw: string,
  policy: ResolvedPolicy,
  random: () => number,
  adopted: boolean,
): Held {
  const lifetime = record.exp - record.iat;
  const usableUntil = record.exp - Math.min(policy.clockSkewMs, lifetime / 4);
  const ahead = policy.refreshAheadRatio + policy.jitterRatio * random();
  let refreshAt =
    record.rin !== undefined ? record.iat + record.rin : record.iat + lifetime * (1 - ahead);
  refreshAt = Math.min(Math.max(refreshAt, record.iat + policy.minRefreshIntervalMs), usableUntil);
  const token: AccessToken = Object.freeze({
    value: redacted(record.t),
    type: record.ty,
    expiresAt: record.exp,
    issuedAt: record.iat,
    scopes: Object.freeze([...record.s]),
    fingerprint: fingerprint(record.t),
  });
  return {
    token,
    promise: Promise.resolve(token),
    refreshAt,
    usableUntil,
    used: false,
    record: raw,
    adopted,
  };
}
