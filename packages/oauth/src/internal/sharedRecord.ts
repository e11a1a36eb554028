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

/** Parses a stored record; anything malformed (another version, a corrupt write) is ignored. */
export function parseRecord(raw: string | undefined): SharedRecord | undefined {
  if (raw === undefined) return undefined;
  try {
    const r = JSON.parse(raw) as Partial<SharedRecord>;
    if (
      r.v === 1 &&
      typeof r.t === 'string' &&
      r.t !== '' &&
      (r.ty === 'Bearer' || r.ty === 'DPoP') &&
      Array.isArray(r.s) &&
      r.s.every((x) => typeof x === 'string') &&
      Number.isFinite(r.iat) &&
      Number.isFinite(r.exp) &&
      (r.exp as number) > (r.iat as number) &&
      (r.rin === undefined || Number.isFinite(r.rin))
    ) {
      return r as SharedRecord;
    }
  } catch {
    // Not JSON: ignored like any other malformed record.
  }
  return undefined;
}
