import { telemetry as coreTelemetry, invalidArgument, systemClock } from '@portcullis/core';
import { createLocalJWKSet, errors, type JWSAlgorithm, type JWTPayload, jwtVerify } from 'jose';
import { AccessTokenError, type AccessTokenErrorCode } from '../errors/AccessTokenError.ts';
import { JwksUnavailable, type KeyResolver, resilientJwks } from '../internal/resilientJwks.ts';
import type {
  AccessTokenClaims,
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
} from './AccessTokenVerifierOptions.ts';

const DEFAULT_ALGORITHMS: JWSAlgorithm[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
const RFC9068_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'];
/** Required whatever `requiredClaims` says: without them a token is unbounded in time or target. */
const ALWAYS_REQUIRED = ['iss', 'exp', 'aud'];
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function url(value: string | URL, name: string, insecure: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalidArgument(name, 'an absolute URL', 'value');
  }
  if (parsed.protocol !== 'https:' && !(insecure && parsed.protocol === 'http:')) {
    throw invalidArgument(name, 'an https: URL (http: only with allowInsecureHttp)', 'value');
  }
  return parsed;
}

async function discoverJwksUri(
  issuer: string,
  fetchFn: typeof fetch,
  insecure: boolean,
  timeoutMs: number,
): Promise<URL> {
  const base = issuer.endsWith('/') ? issuer.slice(0, -1) : issuer;
  const origin = new URL(issuer);
  const candidates = [
    `${base}/.well-known/openid-configuration`,
    `${origin.origin}/.well-known/oauth-authorization-server${origin.pathname === '/' ? '' : origin.pathname}`,
  ];
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      const response = await fetchFn(candidate, {
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        continue;
      }
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      if (metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string') continue;
      return url(metadata.jwks_uri, 'jwks_uri', insecure);
    } catch (error) {
      lastError = error;
    }
  }
  throw new JwksUnavailable(lastError);
}

/**
 * Creates a verifier for inbound RFC 9068 JWT access tokens: `typ: at+jwt`, issuer, audience,
 * allowed asymmetric algorithms only, clock tolerance, required claims and scopes, keys from the
 * issuer's JWKS (cached, with a cooldown against unknown-`kid` floods, and the last good key set
 * kept in use while the endpoint is down). Refusals are `AccessTokenError`s that carry the HTTP
 * `status` and the `WWW-Authenticate` value to answer with.
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
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const { issuer } = options;
  if (typeof issuer !== 'string' || issuer === '')
    throw invalidArgument('issuer', 'a non-empty string');
  const audience = typeof options.audience === 'string' ? [options.audience] : options.audience;
  if (
    !Array.isArray(audience) ||
    audience.length === 0 ||
    !audience.every((a) => typeof a === 'string' && a)
  ) {
    throw invalidArgument('audience', 'a non-empty string or array of strings');
  }
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)];
  if (algorithms.length === 0 || algorithms.some((a) => a === 'none' || /^HS/i.test(a))) {
    throw invalidArgument('algorithms', 'a non-empty list of asymmetric JWS algorithms', 'value');
  }
  const requiredScopes = [...(options.requiredScopes ?? [])];
  const requiredClaims = [
    ...new Set([...ALWAYS_REQUIRED, ...(options.requiredClaims ?? RFC9068_CLAIMS)]),
  ];
  const clockToleranceSec = options.clockToleranceSec ?? 5;
  if (!Number.isFinite(clockToleranceSec) || clockToleranceSec < 0) {
    throw invalidArgument('clockToleranceSec', 'a non-negative number of seconds', 'value');
  }
  const insecure = options.allowInsecureHttp === true;
  const clock = options.clock ?? systemClock;
  const tele = options.telemetry ?? coreTelemetry('@portcullis/oauth');
  const fetchFn = options.fetch ?? globalThis.fetch;
  const realm = options.realm;

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

  const jwksTimeoutMs = options.jwksTimeoutMs ?? 5000;
  const jwksCooldownMs = options.jwksCooldownMs ?? 30_000;
  let keys: KeyResolver | Promise<KeyResolver>;
  const remote = (jwksUri: URL): KeyResolver =>
    resilientJwks({
      url: jwksUri,
      timeoutMs: jwksTimeoutMs,
      cooldownMs: jwksCooldownMs,
      cacheMaxAgeMs: options.jwksCacheMaxAgeMs ?? 600_000,
      maxStaleMs: options.jwksMaxStaleMs ?? 86_400_000,
      fetch: options.fetch,
      clock,
      telemetry: tele,
    });
  if (options.jwks !== undefined) {
    const local = createLocalJWKSet(options.jwks);
    keys = (header, token) => local(header, token);
  } else if (options.jwksUri !== undefined) {
    keys = remote(url(options.jwksUri, 'jwksUri', insecure));
  } else {
    url(issuer, 'issuer', insecure);
    // One discovery at a time; a failed one is remembered for the cooldown, so a flood of tokens
    // while the issuer is down costs one discovery per cooldown, not two requests per token.
    let pending: Promise<KeyResolver> | undefined;
    let failedUntil = 0;
    keys = (header, token) => {
      if (pending === undefined || (failedUntil !== 0 && clock.now() >= failedUntil)) {
        failedUntil = 0;
        const attempt = discoverJwksUri(issuer, fetchFn, insecure, jwksTimeoutMs).then(remote);
        attempt.catch(() => {
          if (pending === attempt) failedUntil = clock.now() + jwksCooldownMs;
        });
        pending = attempt;
      }
      return pending.then((resolve) => resolve(header, token));
    };
  }

  return {
    async verify(input) {
      if (input === undefined || input === null || input === '') {
        throw refuse('ERR_OAUTH_TOKEN_MISSING', 'No access token was presented.');
      }
      if (typeof input !== 'string')
        throw invalidArgument('authorizationHeaderOrToken', 'a string');
      let token = input.trim();
      if (/^bearer\b/i.test(token)) {
        const match = BEARER.exec(token);
        if (match === null)
          throw refuse('ERR_OAUTH_TOKEN_INVALID', 'The Authorization header is malformed.');
        token = match[1] as string;
      } else if (/^[A-Za-z]+ /.test(token)) {
        throw refuse('ERR_OAUTH_TOKEN_INVALID', 'The Authorization scheme is not Bearer.');
      }
      if (!JWT_SHAPE.test(token))
        throw refuse('ERR_OAUTH_TOKEN_INVALID', 'The access token is not a JWT.');

      let payload: JWTPayload;
      try {
        const resolver = await keys;
        ({ payload } = await jwtVerify(token, resolver, {
          issuer,
          audience,
          algorithms,
          typ: 'at+jwt',
          clockTolerance: clockToleranceSec,
          currentDate: new Date(clock.now()),
          requiredClaims,
        }));
      } catch (error) {
        throw mapError(error, refuse);
      }

      // jose checks `nbf`; a token issued in the future (beyond the tolerance) is not valid yet either.
      if (typeof payload.iat === 'number' && payload.iat > clock.now() / 1000 + clockToleranceSec) {
        throw refuse(
          'ERR_OAUTH_TOKEN_INVALID',
          'The access token is not yet valid (issued in the future).',
        );
      }
      if (payload.cnf !== undefined && options.allowSenderConstrained !== true) {
        throw refuse(
          'ERR_OAUTH_TOKEN_INVALID',
          'The access token is sender-constrained (cnf) and no proof was checked.',
        );
      }
      const scope = typeof payload.scope === 'string' ? payload.scope : '';
      const scopes = scope.split(' ').filter(Boolean);
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
