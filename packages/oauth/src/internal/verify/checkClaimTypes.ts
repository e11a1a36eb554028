import type { JWTPayload } from 'jose';

const isString = (v: unknown): boolean => typeof v === 'string';
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isStringArray = (v: unknown): boolean => Array.isArray(v) && v.every(isString);

/**
 * The JSON types RFC 9068 (§2.2, §2.2.3) and RFC 7519 give the claims this verifier reads or
 * hands out typed; `iss`, `exp`, `nbf` and `aud` are checked by jose.
 */
const TYPES: Record<string, (v: unknown) => boolean> = {
  sub: isString,
  client_id: isString,
  scope: isString,
  jti: isString,
  iat: isNumber,
  auth_time: isNumber,
  acr: isString,
  amr: isStringArray,
};

/** The first claim present with the wrong type, or undefined when every one is right. */
export function wrongClaimType(payload: JWTPayload): string | undefined {
  for (const [claim, check] of Object.entries(TYPES)) {
    const value = (payload as Record<string, unknown>)[claim];
    if (value !== undefined && !check(value)) return claim;
  }
  return undefined;
}
