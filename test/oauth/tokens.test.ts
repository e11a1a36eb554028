// Real-server tests: tokens from oidc-provider with each client authentication method, verified
// by our verifier against the server's JWKS; single flight counted at the server; DPoP; the
// fetch wrapper's 401 handling against a real resource server; the verifier's refusals.
import { createServer, type Server } from 'node:http';
import { ManualClock, redacted } from '@portcullis/core';
import {
  AccessTokenError,
  createAccessTokenVerifier,
  createTokenProvider,
  type TokenProviderOptions,
} from '@portcullis/oauth';
import { base64url, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';
import { freePort } from '../harness/ports.ts';

let oidc: OidcPeer;
beforeAll(async () => {
  oidc = await startOidc({ accessTokenTtlSec: 60 });
});
afterAll(() => oidc?.stop());

function provider(overrides: Partial<TokenProviderOptions> = {}) {
  return createTokenProvider({
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.basic.clientId,
    clientAuth: { method: 'client_secret_basic', secret: redacted(OIDC_CLIENTS.basic.secret) },
    scope: 'orders:read',
    resource: OIDC_RESOURCE,
    allowInsecureHttp: true,
    ...overrides,
  });
}

function verifier(overrides: Partial<Parameters<typeof createAccessTokenVerifier>[0]> = {}) {
  return createAccessTokenVerifier({
    issuer: oidc.issuer,
    audience: OIDC_RESOURCE,
    requiredScopes: ['orders:read'],
    allowInsecureHttp: true,
    ...overrides,
  });
}

async function refusal(promise: Promise<unknown>): Promise<AccessTokenError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AccessTokenError);
  return error as AccessTokenError;
}

describe('tokens from oidc-provider, verified against its JWKS', () => {
  const methods: [string, () => Partial<TokenProviderOptions>][] = [
    ['client_secret_basic', () => ({})],
    [
      'client_secret_post',
      () => ({
        clientId: OIDC_CLIENTS.post.clientId,
        clientAuth: { method: 'client_secret_post', secret: async () => OIDC_CLIENTS.post.secret },
      }),
    ],
    [
      'private_key_jwt',
      () => ({
        clientId: OIDC_CLIENTS.privateKeyJwt.clientId,
        clientAuth: { method: 'private_key_jwt', privateKey: redacted(oidc.clientPrivateJwk) },
      }),
    ],
  ];

  it.each(methods)('%s', async (_method, overrides) => {
    const tokens = provider(overrides());
    const token = await tokens.getToken();
    expect(token.type).toBe('Bearer');
    expect(token.scopes).toEqual(['orders:read']);
    const claims = await verifier().verify(`Bearer ${token.value.reveal()}`);
    expect(claims.client_id).toBe(overrides().clientId ?? OIDC_CLIENTS.basic.clientId);
    expect(claims.aud).toBe(OIDC_RESOURCE);
    // Through an explicit jwksUri too, not only discovery.
    await expect(
      verifier({ jwksUri: oidc.jwksUri }).verify(token.value.reveal()),
    ).resolves.toMatchObject({
      iss: oidc.issuer,
    });
    tokens.close();
  });

  it('a wrong secret fails fast with ERR_OAUTH_CLIENT_REJECTED', async () => {
    const tokens = provider({ clientAuth: { method: 'client_secret_basic', secret: 'wrong' } });
    oidc.resetCounts();
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLIENT_REJECTED' });
    await expect(tokens.getToken()).rejects.toMatchObject({ code: 'ERR_OAUTH_CLIENT_REJECTED' });
    expect(oidc.tokenRequests).toBe(1);
  });

  it('1,000 concurrent getToken() calls cost exactly one token request', async () => {
    const tokens = provider();
    oidc.resetCounts();
    const all = await Promise.all(Array.from({ length: 1000 }, () => tokens.getToken()));
    expect(oidc.tokenRequests).toBe(1);
    expect(new Set(all.map((t) => t.fingerprint)).size).toBe(1);
    tokens.close();
  });

  it('DPoP: a sender-constrained token bound to our key', async () => {
    const tokens = provider({ dpop: true });
    const token = await tokens.getToken();
    expect(token.type).toBe('DPoP');
    const claims = await verifier({ allowSenderConstrained: true }).verify(token.value.reveal());
    expect(typeof (claims.cnf as { jkt?: unknown }).jkt).toBe('string');
    // Without a proof check, the verifier refuses a bound token by default.
    expect((await refusal(verifier().verify(token.value.reveal()))).code).toBe(
      'ERR_OAUTH_TOKEN_INVALID',
    );
    tokens.close();
  });
});

describe('DPoP with server nonces (use_dpop_nonce)', () => {
  let nonceServer: OidcPeer;
  beforeAll(async () => {
    nonceServer = await startOidc({ dpopRequireNonce: true });
  });
  afterAll(() => nonceServer?.stop());

  it('the first request is answered use_dpop_nonce and retried once by openid-client', async () => {
    const tokens = createTokenProvider({
      issuer: nonceServer.issuer,
      clientId: OIDC_CLIENTS.basic.clientId,
      clientAuth: { method: 'client_secret_basic', secret: OIDC_CLIENTS.basic.secret },
      scope: 'orders:read',
      resource: OIDC_RESOURCE,
      allowInsecureHttp: true,
      dpop: true,
    });
    const token = await tokens.getToken();
    expect(token.type).toBe('DPoP');
    expect(nonceServer.tokenRequests).toBe(2);
    // The nonce is remembered: a forced refresh needs one request.
    await tokens.getToken({ forceRefresh: true });
    expect(nonceServer.tokenRequests).toBe(3);
    tokens.close();
  });
});

describe('fetch wrapper against a real resource server', () => {
  let api: Server;
  let apiUrl: string;
  let script: number[] = [];
  const seen: string[] = [];

  beforeAll(async () => {
    const check = verifier();
    api = createServer(async (req, res) => {
      seen.push(req.headers.authorization ?? '');
      try {
        await check.verify(req.headers.authorization);
      } catch (error) {
        const e = error as AccessTokenError;
        res.writeHead(e.status, { 'www-authenticate': e.wwwAuthenticate }).end();
        return;
      }
      const status = script.shift() ?? 200;
      res
        .writeHead(
          status,
          status === 401 ? { 'www-authenticate': 'Bearer error="invalid_token"' } : {},
        )
        .end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => api.listen(port, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${port}/orders`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  it('a 401 once → one refresh and one retry', async () => {
    const tokens = provider();
    await tokens.getToken();
    oidc.resetCounts();
    seen.length = 0;
    script = [401];
    const response = await tokens.fetch(apiUrl);
    expect(response.status).toBe(200);
    expect(oidc.tokenRequests).toBe(1);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    tokens.close();
  });

  it('a 401 always → the 401 surfaces after one retry', async () => {
    const tokens = provider();
    await tokens.getToken();
    oidc.resetCounts();
    seen.length = 0;
    script = [401, 401, 401, 401];
    const response = await tokens.fetch(apiUrl);
    expect(response.status).toBe(401);
    expect(seen).toHaveLength(2);
    expect(oidc.tokenRequests).toBe(1);
    tokens.close();
  });
});

describe('the verifier refuses (server-issued and forged tokens)', () => {
  let token: string;
  beforeAll(async () => {
    const tokens = provider();
    token = (await tokens.getToken()).value.reveal();
    tokens.close();
  });

  it('expired', async () => {
    const later = new ManualClock(Date.now() + 3600_000);
    expect((await refusal(verifier({ clock: later }).verify(token))).code).toBe(
      'ERR_OAUTH_TOKEN_EXPIRED',
    );
  });

  it('not yet valid (issued in the future for this server)', async () => {
    const earlier = new ManualClock(Date.now() - 3600_000);
    const error = await refusal(verifier({ clock: earlier }).verify(token));
    expect(error.code).toBe('ERR_OAUTH_TOKEN_INVALID');
    expect(error.message).toContain('not yet valid');
  });

  it('wrong issuer', async () => {
    expect(
      (
        await refusal(
          verifier({ issuer: 'https://other.example', jwksUri: oidc.jwksUri }).verify(token),
        )
      ).code,
    ).toBe('ERR_OAUTH_TOKEN_INVALID');
  });

  it('wrong audience', async () => {
    expect(
      (await refusal(verifier({ audience: 'https://api.other.test' }).verify(token))).code,
    ).toBe('ERR_OAUTH_TOKEN_INVALID');
  });

  it('missing scope → 403', async () => {
    const error = await refusal(verifier({ requiredScopes: ['orders:write'] }).verify(token));
    expect(error.code).toBe('ERR_OAUTH_INSUFFICIENT_SCOPE');
    expect(error.status).toBe(403);
  });

  it('alg: none', async () => {
    const [, payload] = token.split('.');
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }));
    expect((await refusal(verifier().verify(`${header}.${payload}.`))).code).toBe(
      'ERR_OAUTH_TOKEN_INVALID',
    );
  });

  it('HS256 signed with the server public key', async () => {
    const jwks = (await (await fetch(oidc.jwksUri)).json()) as { keys: { kid: string }[] };
    const publicKey = jwks.keys[0]!;
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    for (const secret of [JSON.stringify(publicKey), (publicKey as unknown as { n: string }).n]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: publicKey.kid })
        .sign(new TextEncoder().encode(secret));
      expect((await refusal(verifier().verify(forged))).code).toBe('ERR_OAUTH_TOKEN_INVALID');
    }
  });

  it('unknown kid (and a flood of them does not flood the JWKS endpoint)', async () => {
    const v = verifier({ jwksUri: oidc.jwksUri });
    await v.verify(token); // keys loaded
    oidc.resetCounts();
    const { privateKey } = await generateKeyPair('RS256');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const forged = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: `unknown-${i}` })
          .sign(privateKey),
      ),
    );
    for (const f of forged)
      expect((await refusal(v.verify(f))).code).toBe('ERR_OAUTH_TOKEN_INVALID');
    expect(oidc.jwksRequests).toBeLessThanOrEqual(1);
  });
});
