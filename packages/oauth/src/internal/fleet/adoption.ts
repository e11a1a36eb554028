import type { ResolvedPolicy } from '../../options/resolveProviderOptions.ts';
import { type Held, toHeld } from '../token/held.ts';
import { parseRecord } from './sharedRecord.ts';

/** What decides whether a stored token is taken. */
export interface AdoptionState {
  now: number;
  policy: ResolvedPolicy;
  random: () => number;
  /** DPoP is configured: only DPoP records are taken. */
  dpop: boolean;
  /** The token this process last invalidated or saw refused: never taken again. */
  invalidated: string | undefined;
  /** What this cache entry holds now. */
  held: Held | undefined;
}

/**
 * A stored token worth taking: within the same bounds as a server's token (see parseRecord),
 * DPoP when DPoP is configured, not the one this process last invalidated, valid, newer than
 * ours, and not yet due (unless ours is unusable).
 */
export function adoptable(raw: string | undefined, s: AdoptionState): Held | undefined {
  const record = parseRecord(raw, {
    now: s.now,
    maxLifetimeMs: Math.round(s.policy.maxLifetimeSec * 1000),
    clockSkewMs: s.policy.clockSkewMs,
  });
  if (record === undefined || raw === undefined) return undefined;
  if (s.dpop && record.ty !== 'DPoP') return undefined;
  if (record.t === s.invalidated) return undefined;
  const candidate = toHeld(record, raw, s.policy, s.random, true);
  if (s.now >= candidate.usableUntil) return undefined;
  const { held } = s;
  if (held !== undefined && candidate.token.expiresAt <= held.token.expiresAt) return undefined;
  const ourUsable = held !== undefined && s.now < held.usableUntil;
  return s.now < candidate.refreshAt || !ourUsable ? candidate : undefined;
}
