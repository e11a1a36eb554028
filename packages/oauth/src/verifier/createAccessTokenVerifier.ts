import { invalidArgument } from '@portcullis/core';
import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { AccessTokenError, type AccessTokenErrorCode } from '../errors/AccessTokenError.ts';
import { discoverJwksUri } from '../internal/jwks/discoverJwksUri.ts';
import { jwksCache, type KeyResolver } from '../internal/jwks/JwksCache.ts';
import { JwksUnavailable } from '../internal/jwks/JwksUnavailable.ts';
import { wrongClaimType } from '../internal/verify/checkClaimTypes.ts';
import { parseAuthorization } from '../internal/verify/parseAuthorization.ts';
import { resolveVerifierOptions } from '../options/resolveVerifierOptions.ts';
import type {
  AccessTokenClaims,
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
} from './AccessTokenVerifierOptions.ts';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Creates a verifier for inbound RFC 9068 JWT access tokens: `typ: at+jwt`, issuer, audience,
 * allowed asymmetric algorithms only, clock tolerance, required claims and scopes, keys from the
 * issuer's JWKS (cached, with a cooldown against unknown-`kid` floods, and the last good key set
 * kept in use while the endpoint is down; a token whose key is held never waits for the
 * endpoint), RFC 9068 claim types. Refusals are `AccessTokenError`s that carry the HTTP `status`
 * and the `WWW-Authenticate` value to answer with (RFC 6750). Also exported, without the token
 * provider and openid-client, from `@portcullis/oauth/verifier`.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier, isAccessTokenError } from '@portcullis/oauth';
 *
 * const verifier = createAccessTokenVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['orders:read'],
 * });
 * async function handle(request: Request): Promise<Response> {
 *   try {
 *     const claims = await verifier.verify(request.headers.get('authorization'));
 *     return Response.json({ client: claims.client_id });
 *   } catch (error) {
 *     if (!isAccessTokenError(error)) throw error;
 *     const headers = { 'www-authenticate': error.wwwAuthenticate };
 *     return new Response(null, { status: error.status, headers });
 *   }
 * }
 * ```
 */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const o = resolveVerifierOptions(options);
  const { issuer, audience, algorithms, requiredScopes, requiredClaims, clock, realm } = o;
  const tele = o.telemetry;

  const refuse = (
    code: AccessTokenErrorCode,
    message: string,
    cause?: unknown,
  ): AccessTokenError => {
    tele.count('portcullis.oauth.tokens_refused', 1, { code });
    const extra: { cause?: unknown; realm?: string; requiredScopes?: readonly string[] } = {};
    if (cause !== undefined) extra.cause = cause;
    if (realm !== undefined) extra.realm = realm;
    if (code === 'ERR_OAUTH_INSUFFICIENT_SCOPE') extra.requiredScopes = requiredScopes;
    return new AccessTokenError(code, message, extra);
  };

  const remote = (url: URL): KeyResolver =>
    jwksCache({
      url,
      timeoutMs: o.jwksTimeoutMs,
      cooldownMs: o.jwksCooldownMs,
      cacheMaxAgeMs: o.jwksCacheMaxAgeMs,
      maxStaleMs: o.jwksMaxStaleMs,
      fetch: o.fetch,
      clock,
      telemetry: tele,
    });
  let keys: KeyResolver;
  if (o.jwks !== undefined) {
    const local = createLocalJWKSet(o.jwks);
    keys = (header, token) => local(header, token);
  } else if (o.jwksUri !== undefined) {
    keys = remote(o.jwksUri);
  } else {
    // One discovery at a time; a failed one is remembered for the cooldown, so a flood of tokens
    // while the issuer is down costs one discovery per cooldown, not two requests per token.
    let pending: Promise<KeyResolver> | undefined;
    let failedUntil = 0;
    const discovery = {
      fetch: o.fetch,
      insecure: o.allowInsecureHttp,
      timeoutMs: o.jwksTimeoutMs,
      clock,
    };
    keys = (header, token) => {
      if (pending === undefined || (failedUntil !== 0 && clock.now() >= failedUntil)) {
        failedUntil = 0;
        const attempt = discoverJwksUri(issuer, discovery).then(remote);
        attempt.catch(() => {
          if (pending === attempt) failedUntil = clock.now() + o.jwksCooldownMs;
        });
        pending = attempt;
      }
      return pending.then((resolve) => resolve(header, token));
    };
  }

  return {
    async verify(input) {
      if (input !== undefined && input !== null && typeof input !== 'string') {
        throw invalidArgument('authorizationHeaderOrToken', 'a string');
      }
      const parsed = parseAuthorization(input);
      if (parsed.kind === 'missing') {
        throw refuse('ERR_OAUTH_TOKEN_MISSING', 'No access token was presented.');
      }
      if (parsed.kind === 'malformed') {
        throw refuse('ERR_OAUTH_INVALID_REQUEST', 'The Authorization header is malformed.');
      }
      const { token } = parsed;
      if (!JWT_SHAPE.test(token))
        throw refuse('ERR_OAUTH_TOKEN_INVALID', 'The access token is not a JWT.');

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer,
          audience,
          algorithms,
          typ: 'at+jwt',
          clockTolerance: o.clockToleranceSec,
          currentDate: new Date(clock.now()),
          requiredClaims,
        }));
      } catch (error) {
        throw mapError(error, refuse);
      }

      const wrong = wrongClaimType(payload);
      if (wrong !== undefined) {
        throw refuse(
          'ERR_OAUTH_TOKEN_INVALID',
          `The access token claim "${wrong}" has the wrong type.`,
        );
      }
      // jose checks `nbf`; a token issued in the future (beyond the tolerance) is not valid yet either.
      if (
        typeof payload.iat === 'number' &&
        payload.iat > clock.now() / 1000 + o.clockToleranceSec
      ) {
        throw refuse(
          'ERR_OAUTH_TOKEN_INVALID',
          'The access token is not yet valid (issued in the future).',
        );
      }
      if (payload.cnf !== undefined && !o.allowSenderConstrained) {
        throw refuse(
          'ERR_OAUTH_TOKEN_INVALID',
          'The access token is sender-constrained (cnf) and no proof was checked.',
        );
      }
      const scopes =
        typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
      const missing = requiredScopes.filter((s) => !scopes.includes(s));
      if (missing.length > 0) {
        throw refuse('ERR_OAUTH_INSUFFICIENT_SCOPE', 'The access token lacks a required scope.');
      }
      tele.count('portcullis.oauth.tokens_verified');
      return { ...payload, scopes } as AccessTokenClaims;
    },
  };
}

function mapError(
  error: unknown,
  refuse: (code: AccessTokenErrorCode, message: string, cause?: unknown) => AccessTokenError,
): AccessTokenError {
  if (error instanceof JwksUnavailable) {
    return refuse(
      'ERR_OAUTH_JWKS_UNAVAILABLE',
      'The signing keys are unavailable; try again later.',
      error.cause,
    );
  }
  if (error instanceof errors.JWTExpired)
    return refuse('ERR_OAUTH_TOKEN_EXPIRED', 'The access token has expired.', error);
  if (error instanceof errors.JWTClaimValidationFailed) {
    const what =
      error.claim === 'nbf' || (error.claim === 'iat' && error.reason === 'check_failed')
        ? 'is not yet valid'
        : `failed the "${error.claim}" check`;
    return refuse('ERR_OAUTH_TOKEN_INVALID', `The access token ${what}.`, error);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return refuse('ERR_OAUTH_TOKEN_INVALID', 'No signing key matches the access token.', error);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return refuse('ERR_OAUTH_TOKEN_INVALID', 'The access token algorithm is not allowed.', error);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return refuse('ERR_OAUTH_TOKEN_INVALID', 'The access token signature is invalid.', error);
  }
  return refuse('ERR_OAUTH_TOKEN_INVALID', 'The access token is invalid.', error);
}
