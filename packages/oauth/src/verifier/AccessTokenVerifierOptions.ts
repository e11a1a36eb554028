import type { Clock, Telemetry } from '@portcullis/core';
import type { JSONWebKeySet, JWSAlgorithm, JWTPayload } from 'jose';

/**
 * Options of {@link createAccessTokenVerifier}.
 *
 * @example
 * ```ts
 * import type { AccessTokenVerifierOptions } from '@portcullis/oauth';
 * const options: AccessTokenVerifierOptions = {
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['orders:read'],
 * };
 * ```
 */
export interface AccessTokenVerifierOptions {
  /** The expected `iss`: the authorization server's issuer identifier, exactly. */
  issuer: string;
  /** The expected `aud`: this resource server's identifier(s); a token must name at least one. */
  audience: string | readonly string[];
  /**
   * Where the signing keys are published. Default: the `jwks_uri` of the issuer's metadata
   * (`/.well-known/openid-configuration`, then `/.well-known/oauth-authorization-server`).
   */
  jwksUri?: string | URL;
  /** Static keys instead of a JWKS endpoint (tests, pinned keys). Default: none. */
  jwks?: JSONWebKeySet;
  /** Scopes every token must carry (all of them). Default: none. */
  requiredScopes?: readonly string[];
  /**
   * Accepted JWS algorithms. Never `none`, never an HMAC algorithm (`HS*`: a public key must not
   * be usable as a shared secret). Default: `RS256, RS384, RS512, PS256, PS384, PS512, ES256,
   * ES384, ES512, EdDSA, Ed25519`.
   */
  algorithms?: readonly JWSAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat` against this server's clock. Seconds. Default: 5. */
  clockToleranceSec?: number;
  /**
   * Claims that must be present. Default: RFC 9068's `iss, exp, aud, sub, client_id, iat, jti`.
   * `iss`, `exp` and `aud` are always required, whatever this lists: a token without an expiry
   * would be valid forever.
   */
  requiredClaims?: readonly string[];
  /**
   * Accept tokens bound to a key or certificate (`cnf`: DPoP `jkt`, mTLS `x5t#S256`). This
   * verifier does not check the proof of possession, so such tokens are refused unless the
   * caller checks the binding itself. Default: false.
   */
  allowSenderConstrained?: boolean;
  /** `realm` in `WWW-Authenticate` values. Default: none. */
  realm?: string;
  /** Timeout of one JWKS request. Milliseconds. Default: 5000. */
  jwksTimeoutMs?: number;
  /**
   * After a JWKS fetch, how long a token with an unknown `kid` waits before it may cause
   * another fetch (a flood of made-up `kid`s costs at most one request per period). Milliseconds. Default: 30000.
   */
  jwksCooldownMs?: number;
  /** How long fetched keys are used before they are fetched again. Milliseconds. Default: 600000. */
  jwksCacheMaxAgeMs?: number;
  /**
   * While the JWKS endpoint cannot be reached, the last key set fetched stays in use for at most
   * this long after it was fetched. Milliseconds. Default: 86400000 (one day).
   */
  jwksMaxStaleMs?: number;
  /** The `fetch` for metadata and JWKS requests. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Allow an `http:` JWKS or issuer URL (local development and tests only). Default: false. */
  allowInsecureHttp?: boolean;
  /** Time source for claim checks. Default: `systemClock`. */
  clock?: Clock;
  /** Where counts of verified and refused tokens go. Default: `telemetry('@portcullis/oauth')`. */
  telemetry?: Telemetry;
}

/**
 * The claims of a verified access token (RFC 9068), plus `scopes` parsed from `scope`.
 *
 * @example
 * ```ts
 * import type { AccessTokenClaims } from '@portcullis/oauth';
 * function canWrite(claims: AccessTokenClaims): boolean {
 *   return claims.scopes.includes('orders:write');
 * }
 * ```
 */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  exp: number;
  /** The client the token was issued to. */
  client_id?: string;
  /** Space-separated granted scopes, as in the token. */
  scope?: string;
  /** `scope` as a list. */
  scopes: readonly string[];
}

/**
 * What {@link createAccessTokenVerifier} returns.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier, type AccessTokenVerifier } from '@portcullis/oauth';
 * const verifier: AccessTokenVerifier = createAccessTokenVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 * });
 * // const claims = await verifier.verify(request.headers.get('authorization'));
 * ```
 */
export interface AccessTokenVerifier {
  /**
   * Verifies an `Authorization` header value (`Bearer <token>`) or a bare token, and returns its
   * claims; rejects with an `AccessTokenError` carrying `status` and `wwwAuthenticate`.
   */
  verify(authorizationHeaderOrToken: string | null | undefined): Promise<AccessTokenClaims>;
}
