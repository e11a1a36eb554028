import { ManualClock } from '@portcullis/core';
import {
  AccessTokenError,
  createAccessTokenVerifier,
  isAccessTokenError,
  isOAuthError,
  OAuthError,
} from '@portcullis/oauth';
import fc from 'fast-check';
import { base64url, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

const ISSUER = 'https://as.example.test';
const AUD = 'https://api.example.test';
const NOW = Date.parse('2026-01-01T00:00:00Z');
const nowSec = NOW / 1000;

let privateKey: CryptoKey;
let publicJwk: JWK;
let otherKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  otherKey = (await generateKeyPair('RS256')).privateKey;
});

function sign(
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  key: CryptoKey = privateKey,
): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    aud: AUD,
    sub: 'svc',
    client_id: 'svc',
    jti: 'j1',
    iat: nowSec,
    exp: nowSec + 300,
    scope: 'orders:read orders:write',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1', ...header })
    .sign(key);
}

function jwksFetch(state: { calls: number; down: boolean }): typeof fetch {
  return (async () => {
    state.calls++;
    if (state.down) return new Response('unavailable', { status: 503 });
    return Response.json({ keys: [publicJwk] });
  }) as typeof fetch;
}

type Options = Parameters<typeof createAccessTokenVerifier>[0];

function verifier(extra: { [K in keyof Options]?: Options[K] | undefined } = {}) {
  return createAccessTokenVerifier({
    issuer: ISSUER,
    audience: AUD,
    jwks: { keys: [publicJwk] },
    requiredScopes: ['orders:read'],
    clock: new ManualClock(NOW),
    ...extra,
  } as Options);
}

async function refusal(promise: Promise<unknown>): Promise<AccessTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccessTokenError);
  return error as AccessTokenError;
}

describe('createAccessTokenVerifier', () => {
  it('accepts a valid RFC 9068 token from a Bearer header or bare', async () => {
    const token = await sign();
    const claims = await verifier().verify(`Bearer ${token}`);
    expect(claims).toMatchObject({
      iss: ISSUER,
      client_id: 'svc',
      scopes: ['orders:read', 'orders:write'],
    });
    await expect(verifier().verify(token)).resolves.toMatchObject({ sub: 'svc' });
  });

  it.each([
    ['expired', { exp: nowSec - 60 }, {}, 'ERR_OAUTH_TOKEN_EXPIRED'],
    ['not yet valid', { nbf: nowSec + 60 }, {}, 'ERR_OAUTH_TOKEN_INVALID'],
    [
      'issued in the future',
      { iat: nowSec + 600, exp: nowSec + 900 },
      {},
      'ERR_OAUTH_TOKEN_INVALID',
    ],
    ['wrong issuer', { iss: 'https://evil.example' }, {}, 'ERR_OAUTH_TOKEN_INVALID'],
    ['wrong audience', { aud: 'https://other.example' }, {}, 'ERR_OAUTH_TOKEN_INVALID'],
    ['wrong typ', {}, { typ: 'JWT' }, 'ERR_OAUTH_TOKEN_INVALID'],
    ['unknown kid', {}, { kid: 'nope' }, 'ERR_OAUTH_TOKEN_INVALID'],
    ['missing client_id', { client_id: undefined }, {}, 'ERR_OAUTH_TOKEN_INVALID'],
    ['sender-constrained', { cnf: { jkt: 'abc' } }, {}, 'ERR_OAUTH_TOKEN_INVALID'],
  ] as const)('refuses a token that is %s', async (_name, claims, header, code) => {
    const error = await refusal(verifier().verify(await sign(claims, header)));
    expect(error.code).toBe(code);
    expect(error.status).toBe(401);
    expect(error.wwwAuthenticate).toMatch(/^Bearer error="invalid_token", error_description="/);
  });

  it('refuses a token signed by another key', async () => {
    const error = await refusal(verifier().verify(await sign({}, {}, otherKey)));
    expect(error.code).toBe('ERR_OAUTH_TOKEN_INVALID');
  });

  it('refuses alg: none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: 'k1' }));
    const payload = base64url.encode(
      JSON.stringify({
        iss: ISSUER,
        aud: AUD,
        sub: 'svc',
        client_id: 'svc',
        jti: 'j',
        iat: nowSec,
        exp: nowSec + 60,
        scope: 'orders:read',
      }),
    );
    const error = await refusal(verifier().verify(`${header}.${payload}.`));
    expect(error.code).toBe('ERR_OAUTH_TOKEN_INVALID');
  });

  it('refuses HS256 signed with the public key as the secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const token = await new SignJWT({
      iss: ISSUER,
      aud: AUD,
      sub: 'svc',
      client_id: 'svc',
      jti: 'j',
      iat: nowSec,
      exp: nowSec + 60,
      scope: 'orders:read',
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' })
      .sign(secret);
    const error = await refusal(verifier().verify(token));
    expect(error.code).toBe('ERR_OAUTH_TOKEN_INVALID');
  });

  it('answers a missing scope with 403 insufficient_scope', async () => {
    const error = await refusal(verifier().verify(await sign({ scope: 'orders:write' })));
    expect(error.code).toBe('ERR_OAUTH_INSUFFICIENT_SCOPE');
    expect(error.status).toBe(403);
    expect(error.wwwAuthenticate).toContain('error="insufficient_scope"');
    expect(error.wwwAuthenticate).toContain('scope="orders:read"');
  });

  it('isAccessTokenError tells verifier refusals (with a challenge) from other OAuth errors', async () => {
    const refused = await refusal(verifier().verify('Bearer not.a.jwt'));
    expect(isAccessTokenError(refused)).toBe(true);
    expect(isAccessTokenError(refused, 'ERR_OAUTH_TOKEN_INVALID')).toBe(true);
    expect(isAccessTokenError(refused, 'ERR_OAUTH_TOKEN_EXPIRED')).toBe(false);
    expect(isAccessTokenError(new OAuthError('ERR_OAUTH_SERVER_UNAVAILABLE', 'down'))).toBe(false);
    expect(isAccessTokenError(new Error('x'))).toBe(false);
  });

  it('answers a missing token with 401 and a bare challenge', async () => {
    const error = await refusal(verifier({ realm: 'api' }).verify(undefined));
    expect(error.code).toBe('ERR_OAUTH_TOKEN_MISSING');
    expect(error.wwwAuthenticate).toBe('Bearer realm="api"');
  });

  it('answers another scheme as a missing token, a bare "Bearer" as a bad request, garbage as invalid', async () => {
    // RFC 6750 §3.1: no error code for a request that used another scheme; invalid_request for a
    // malformed one (see verifier/rfc6750.test.ts).
    expect((await refusal(verifier().verify('Basic dXNlcjpwYXNz'))).code).toBe(
      'ERR_OAUTH_TOKEN_MISSING',
    );
    expect((await refusal(verifier().verify('Bearer'))).code).toBe('ERR_OAUTH_INVALID_REQUEST');
    expect((await refusal(verifier().verify('a.b'))).code).toBe('ERR_OAUTH_TOKEN_INVALID');
  });

  it('never puts the token in the error message', async () => {
    const token = await sign({ exp: nowSec - 60 });
    const error = await refusal(verifier().verify(token));
    expect(error.message).not.toContain(token.slice(0, 20));
    expect(JSON.stringify(error)).not.toContain(token.slice(0, 20));
  });

  it('refuses HMAC and none in the algorithms option', () => {
    expect(() => verifier({ algorithms: ['HS256'] })).toThrow(TypeError);
    expect(() => verifier({ audience: [] })).toThrow(TypeError);
  });
});

describe('createAccessTokenVerifier: remote JWKS', () => {
  it('a flood of unknown kids costs at most one extra JWKS request (cooldown)', async () => {
    const state = { calls: 0, down: false };
    const v = verifier({ jwks: undefined, jwksUri: `${ISSUER}/jwks`, fetch: jwksFetch(state) });
    await v.verify(await sign());
    const forged = await Promise.all(
      Array.from({ length: 50 }, (_, i) => sign({}, { kid: `made-up-${i}` })),
    );
    const results = await Promise.allSettled(forged.map((t) => v.verify(t)));
    expect(
      results.every(
        (r) => r.status === 'rejected' && isOAuthError(r.reason, 'ERR_OAUTH_TOKEN_INVALID'),
      ),
    ).toBe(true);
    expect(state.calls).toBeLessThanOrEqual(2);
  });

  it('keeps the last good key set while the JWKS endpoint is down', async () => {
    const state = { calls: 0, down: false };
    const v = verifier({
      jwks: undefined,
      jwksUri: `${ISSUER}/jwks`,
      fetch: jwksFetch(state),
      jwksCacheMaxAgeMs: 0,
    });
    await v.verify(await sign());
    state.down = true;
    // Cache max age 0: every verify wants fresh keys; the endpoint fails; the last good set answers.
    for (let i = 0; i < 5; i++)
      await expect(v.verify(await sign())).resolves.toMatchObject({ sub: 'svc' });
    expect(state.calls).toBe(2); // one failed attempt, then the cooldown keeps it from being asked again
  });

  it('answers 503 when no key set was ever fetched', async () => {
    const state = { calls: 0, down: true };
    const v = verifier({ jwks: undefined, jwksUri: `${ISSUER}/jwks`, fetch: jwksFetch(state) });
    const error = await refusal(v.verify(await sign()));
    expect(error.code).toBe('ERR_OAUTH_JWKS_UNAVAILABLE');
    expect(error.status).toBe(503);
  });

  it('a flood of tokens while the JWKS endpoint is down and no key set is held costs one request per cooldown', async () => {
    const state = { calls: 0, down: true };
    const clock = new ManualClock(NOW);
    const v = verifier({
      jwks: undefined,
      jwksUri: `${ISSUER}/jwks`,
      fetch: jwksFetch(state),
      clock,
    });
    const token = await sign();
    for (let i = 0; i < 20; i++) {
      expect((await refusal(v.verify(token))).code).toBe('ERR_OAUTH_JWKS_UNAVAILABLE');
    }
    expect(state.calls).toBe(1);
    state.down = false;
    clock.advance(30_000); // the default cooldown: the endpoint is asked again, and recovers
    await expect(v.verify(token)).resolves.toMatchObject({ sub: 'svc' });
    expect(state.calls).toBe(2);
  });

  it('a failed discovery is remembered for the cooldown, and bounded by the JWKS timeout', async () => {
    let discoveries = 0;
    let hang = false;
    const fetchFn = ((_input: RequestInfo | URL, init?: RequestInit) => {
      discoveries++;
      if (hang) {
        // Never answers; only the abort signal ends it.
        return new Promise<Response>((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        );
      }
      return Promise.resolve(new Response('down', { status: 503 }));
    }) as typeof fetch;
    const clock = new ManualClock(NOW);
    const v = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUD,
      fetch: fetchFn,
      clock,
      jwksTimeoutMs: 50,
    });
    const token = await sign();
    for (let i = 0; i < 10; i++) {
      expect((await refusal(v.verify(token))).code).toBe('ERR_OAUTH_JWKS_UNAVAILABLE');
    }
    expect(discoveries).toBe(2); // both well-known locations, once
    clock.advance(30_000);
    hang = true;
    // Each hanging discovery request is bounded by jwksTimeoutMs on the injected clock.
    const pending = refusal(v.verify(token));
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 10; j++) await new Promise((r) => setImmediate(r));
      clock.advance(50);
    }
    expect((await pending).code).toBe('ERR_OAUTH_JWKS_UNAVAILABLE');
  });

  it('always requires iss, exp and aud, even when requiredClaims lists fewer', async () => {
    const v = verifier({ requiredClaims: ['client_id'] });
    const noExp = await new SignJWT({
      iss: ISSUER,
      aud: AUD,
      client_id: 'svc',
      scope: 'orders:read',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'k1' })
      .sign(privateKey);
    expect((await refusal(v.verify(noExp))).code).toBe('ERR_OAUTH_TOKEN_INVALID');
    await expect(v.verify(await sign({ sub: undefined, jti: undefined }))).resolves.toMatchObject({
      client_id: 'svc',
    });
  });

  it('discovers jwks_uri from the issuer metadata', async () => {
    const seen: string[] = [];
    const fetchFn = (async (input: RequestInfo | URL) => {
      const url = String(input instanceof Request ? input.url : input);
      seen.push(url);
      if (url.endsWith('/.well-known/openid-configuration')) {
        return Response.json({ issuer: ISSUER, jwks_uri: `${ISSUER}/keys` });
      }
      return Response.json({ keys: [publicJwk] });
    }) as typeof fetch;
    const v = createAccessTokenVerifier({
      issuer: ISSUER,
      audience: AUD,
      fetch: fetchFn,
      clock: new ManualClock(NOW),
    });
    await expect(v.verify(await sign())).resolves.toMatchObject({ sub: 'svc' });
    expect(seen).toEqual([`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/keys`]);
  });
});

describe('createAccessTokenVerifier: properties', () => {
  it('any string is either refused with an AccessTokenError or (never) accepted', async () => {
    const v = verifier();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.stringMatching(/^[A-Za-z0-9_-]{0,20}\.[A-Za-z0-9_-]{0,20}\.[A-Za-z0-9_-]{0,20}$/),
        ),
        async (input) => {
          const error = await v.verify(input).then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(AccessTokenError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a valid token with any one character changed is refused', async () => {
    const v = verifier();
    const token = await sign();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    await fc.assert(
      fc.asyncProperty(
        fc.nat(token.length - 1),
        fc.constantFrom(...alphabet),
        async (index, char) => {
          fc.pre(token[index] !== '.' && token[index] !== char);
          const tampered = token.slice(0, index) + char + token.slice(index + 1);
          const error = await v.verify(tampered).then(
            () => undefined,
            (e: unknown) => e,
          );
          // A changed last base64url character can encode the same bytes; then it is the same token.
          const bytes = (t: string) => t.split('.').map((part) => Buffer.from(part, 'base64url'));
          if (error === undefined) expect(bytes(tampered)).toEqual(bytes(token));
          else expect(error).toBeInstanceOf(AccessTokenError);
        },
      ),
      { numRuns: 150 },
    );
  });
});
