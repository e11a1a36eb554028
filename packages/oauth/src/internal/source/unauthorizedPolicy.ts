import type { AccessToken } from '../../token/AccessToken.ts';
import type { Held } from '../token/held.ts';

/** What to do when a resource server answered 401 to a token. */
export type UnauthorizedDecision =
  /** The token is no longer the held one (another caller replaced it): retry with the held one. */
  | 'use-held'
  /** The 401 is the caller's answer: no token request. */
  | 'decline'
  /** Get a new token (keeping the refused one for others until one is had) and retry once. */
  | 'replace';

/** Whether `held` holds `token` (the same object, or the same value). */
export function holdsToken(held: Held | undefined, token: AccessToken): boolean {
  return (
    held !== undefined &&
    (held.token === token || held.token.value.reveal() === token.value.reveal())
  );
}

/**
 * The 401 rule, so 401s cannot be used to cause token requests at will:
 * - the token is no longer the held one: retry with the held one;
 * - a token was replaced because of a 401 less than `minRefreshIntervalMs` ago: decline (an API
 *   that refuses every token costs at most one token request per interval);
 * - the token was adopted from the fleet store and is younger than `minRefreshIntervalMs`:
 *   decline (another process has just fetched it; replacing it would make the fleet fetch again);
 * - otherwise: replace.
 */
export function decideUnauthorized(
  held: Held | undefined,
  token: AccessToken,
  now: number,
  lastUnauthorizedAt: number,
  minRefreshIntervalMs: number,
): UnauthorizedDecision {
  if (held === undefined || !holdsToken(held, token)) return 'use-held';
  if (now - lastUnauthorizedAt < minRefreshIntervalMs) return 'decline';
  if (held.adopted && now - held.token.issuedAt < minRefreshIntervalMs) return 'decline';
  return 'replace';
}
