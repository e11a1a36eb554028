import { isHeaderSafeToken } from '../token/tokenValue.ts';

/** A token as written to a shared store (fleet mode). Only the access token: never a secret or key. */
export interface SharedRecord {
  v: 1;
  /** The access token. */
  t: string;
  /** `'Bearer'` or `'DPoP'`. */
  ty: 'Bearer' | 'DPoP';
  /** Granted scopes. */
  s: string[];
  /** When the request was sent (ms since epoch). */
  iat: number;
  /** When the token expires (ms since epoch). */
  exp: number;
  /** Server-suggested refresh delay after `iat` (ms), if any. */
  rin?: number;
}

/** The bounds a stored record must keep, the same as a token from the authorization server. */
export interface RecordLimits {
  /** Now (ms since epoch). */
  now: number;
  /** Longest lifetime (`exp - iat`) believed, in ms: `maxLifetimeSec * 1000`. */
  maxLifetimeMs: number;
  /** How far in the future `iat` may be (other processes' clocks), in ms: `clockSkewMs`. */
  clockSkewMs: number;
}

const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Parses a stored record. Anything malformed (another version, a corrupt write, a field of the
 * wrong type) or out of bounds is ignored: a lifetime under one second or over `maxLifetimeMs`
 * (a token from the authorization server is cut to it, so a longer one was never written by a
 * provider with the same policy), an `iat` further in the future than `clockSkewMs`, a `rin`
 * outside the lifetime.
 */
export function parseRecord(
  raw: string | undefined,
  limits: RecordLimits,
): SharedRecord | undefined {
  if (raw === undefined) return undefined;
  let r: Partial<Record<keyof SharedRecord, unknown>>;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    r = parsed as typeof r;
  } catch {
    return undefined; // not JSON: ignored like any other malformed record
  }
  const { v, t, ty, s, iat, exp, rin } = r;
  if (
    v !== 1 ||
    !isHeaderSafeToken(t) ||
    (ty !== 'Bearer' && ty !== 'DPoP') ||
    !Array.isArray(s) ||
    !s.every((x) => typeof x === 'string') ||
    !isTime(iat) ||
    !isTime(exp)
  ) {
    return undefined;
  }
  const lifetime = exp - iat;
  if (lifetime < 1000 || lifetime > limits.maxLifetimeMs) return undefined;
  if (iat > limits.now + limits.clockSkewMs) return undefined;
  if (rin !== undefined && (!isTime(rin) || rin <= 0 || rin >= lifetime)) return undefined;
  const record: SharedRecord = { v, t, ty, s: [...s], iat, exp };
  if (rin !== undefined) record.rin = rin;
  return record;
}
