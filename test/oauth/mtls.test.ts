// Mutual TLS (RFC 8705) against a real oidc-provider served over HTTPS: `tls_client_auth` and
// `self_signed_tls_client_auth` with a client certificate presented by undici, certificate-bound
// JWT access tokens (`cnf['x5t#S256']`), the published `mtls_endpoint_aliases`, a refused client
// without a certificate, and a server certificate from another CA. Certificates are made in
// memory for each run (test/harness/tls.ts).
import { createHash } from 'node:crypto';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { ManualClock, MemoryStore } from '@portcullis/core';
import {
  createAccessTokenVerifier,
  createTokenProvider,
  isOAuthError,
  OAuthError,
  type TokenProviderOptions,
} from '@portcullis/oauth';
import { decodeJwt } from 'jose';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';
import { freePort } from '../harness/ports.ts';
import { makeTestPki, type TestCertificate, type TestPki } from '../harness/tls.ts';

let pki: TestPki;
let otherPki: TestPki;
/** Token endpoint published as an mTLS alias on a second port; the main port asks for no certificate. */
let aliased: OidcPeer;
/** One listener that asks every client for a certificate; no aliases. */
let single: OidcPeer;
const agents: Agent[] = [];

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([makeTestPki(), makeTestPki({ caName: 'Some Other CA' })]);
  [aliased, single] = await Promise.all([
    startOidc({ mtls: { pki, endpointAliases: true } }),
    startOidc({ mtls: { pki } }),
  ]);
});
afterAll(async () => {
  await Promise.all([aliased?.stop(), single?.stop(), ...agents.map((a) => a.close())]);
});

/**
 * A `fetch` over undici whose connections trust only `ca` (certificate checks stay on) and, when
 * given, present `certificate`.
 */
function tlsFetch(ca: string, certificate?: TestCertificate): typeof fetch {
  const agent = new Agent({
    connect:
      certificate === undefined ? { ca } : { ca, cert: certificate.cert, key: certificate.key },
  });
  agents.push(agent);
  return ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as object),
      dispatcher: agent,
    })) as unknown as typeof fetch;
}

function mtlsProvider(server: OidcPeer, overrides: Partial<TokenProviderOptions> = {}) {
  return createTokenProvider({
    issuer: server.issuer,
    clientId: OIDC_CLIENTS.tlsClientAuth.clientId,
    clientAuth: { method: 'tls_client_auth' },
    scope: 'orders:read',
    resource: OIDC_RESOURCE,
    fetch: tlsFetch(pki.ca, pki.client),
    ...overrides,
  });
}

function verifier(server: OidcPeer, allowSenderConstrained?: boolean) {
  return createAccessTokenVerifier({
    issuer: server.issuer,
    audience: OIDC_RESOURCE,
    requiredScopes: ['orders:read'],
    // The verifier fetches the JWKS over HTTPS too: it trusts the test CA, presents no certificate.
    fetch: tlsFetch(pki.ca),
    ...(allowSenderConstrained === undefined ? {} : { allowSenderConstrained }),
  });
}

async function failure(promise: Promise<unknown>): Promise<OAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OAuthError);
  return error as OAuthError;
}

function sha256(der: string): string {
  return createHash('sha256').update(Buffer.from(der, 'base64')).digest('base64url');
}

describe('tls_client_auth against oidc-provider over HTTPS', () => {
  it.each([
    ['through the published mtls_endpoint_aliases', () => aliased],
    ['on a server asking every client for a certificate', () => single],
  ])('issues a certificate-bound JWT %s', async (_case, server) => {
    const as = server();
    as.resetCounts();
    const tokens = mtlsProvider(as);
    const token = await tokens.getToken();
    expect(token.type).toBe('Bearer');
    expect(token.scopes).toEqual(['orders:read']);
    expect(as.tokenRequests).toBe(1);
    expect(as.tokenRequestsWithCertificate).toBe(1);

    // Bound to our certificate: cnf.x5t#S256 is the SHA-256 thumbprint of its DER, base64url.
    const claims = decodeJwt(token.value.reveal());
    expect(claims.client_id).toBe(OIDC_CLIENTS.tlsClientAuth.clientId);
    expect(claims.cnf).toEqual({ 'x5t#S256': pki.client.x5tS256 });
    expect(pki.client.x5tS256).toBe(sha256(pki.client.x5c));

    // The verifier refuses a bound token unless told a proof is checked elsewhere.
    const refused = await failure(verifier(as).verify(`Bearer ${token.value.reveal()}`));
    expect(refused.code).toBe('ERR_OAUTH_TOKEN_INVALID');
    const verified = await verifier(as, true).verify(`Bearer ${token.value.reveal()}`);
    expect(verified.cnf).toEqual({ 'x5t#S256': pki.client.x5tS256 });

    // Cached: no second request.
    await tokens.getToken();
    expect(as.tokenRequests).toBe(1);
    tokens.close();
  });

  it('the alias matters: the main port asks for no certificate, so a token request there is refused', async () => {
    expect(aliased.mtlsTokenEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/token$/);
    expect(aliased.mtlsTokenEndpoint).not.toBe(`${aliased.issuer}/token`);
    // An explicit tokenEndpoint on the main (non-mTLS) port: no certificate reaches the server,
    // which is exactly what the alias avoids.
    aliased.resetCounts();
    const direct = mtlsProvider(aliased, { tokenEndpoint: `${aliased.issuer}/token` });
    const error = await failure(direct.getToken());
    expect(error.code).toBe('ERR_OAUTH_CLIENT_REJECTED');
    expect(aliased.tokenRequests).toBe(1);
    expect(aliased.tokenRequestsWithCertificate).toBe(0);
    direct.close();

    // The alias given explicitly works like discovery did.
    const explicit = mtlsProvider(aliased, { tokenEndpoint: aliased.mtlsTokenEndpoint as string });
    await expect(explicit.getToken()).resolves.toMatchObject({ type: 'Bearer' });
    expect(aliased.tokenRequestsWithCertificate).toBe(1);
    explicit.close();
  });

  it('a client without a certificate is refused with ERR_OAUTH_CLIENT_REJECTED, fast and not retried', async () => {
    const clock = new ManualClock(Date.now());
    const tokens = mtlsProvider(aliased, { fetch: tlsFetch(pki.ca), clock });
    aliased.resetCounts();
    const error = await failure(tokens.getToken());
    expect(error.code).toBe('ERR_OAUTH_CLIENT_REJECTED');
    expect(isOAuthError(error, 'ERR_OAUTH_CLIENT_REJECTED')).toBe(true);
    expect(error.message).toContain('invalid_client');
    expect(aliased.tokenRequests).toBe(1);
    // No timer retry was scheduled, and callers within the cooldown get the error without a request.
    expect(clock.pending).toBe(0);
    clock.advance(5_000);
    expect((await failure(tokens.getToken())).code).toBe('ERR_OAUTH_CLIENT_REJECTED');
    expect(aliased.tokenRequests).toBe(1);
    // After the cooldown (10 s) the next call tries again (one request), and fails the same way.
    clock.advance(6_000);
    expect((await failure(tokens.getToken())).code).toBe('ERR_OAUTH_CLIENT_REJECTED');
    expect(aliased.tokenRequests).toBe(2);
    tokens.close();
  });

  it('a certificate from another CA is refused (certificateAuthorized)', async () => {
    const tokens = mtlsProvider(single, { fetch: tlsFetch(pki.ca, otherPki.client) });
    single.resetCounts();
    expect((await failure(tokens.getToken())).code).toBe('ERR_OAUTH_CLIENT_REJECTED');
    expect(single.tokenRequestsWithCertificate).toBe(1);
    tokens.close();
  });

  it('certificate checks are never off: a server certificate from another CA gives a typed error and no token', async () => {
    // The client trusts only another CA: the TLS handshake fails before any HTTP request.
    const discovering = mtlsProvider(single, { fetch: tlsFetch(otherPki.ca, pki.client) });
    const explicit = mtlsProvider(single, {
      tokenEndpoint: `${single.issuer}/token`,
      fetch: tlsFetch(otherPki.ca, pki.client),
    });
    // Without a `fetch`, the global one trusts only the system CAs: refused too.
    const systemTrust = mtlsProvider(single, { fetch: undefined as unknown as typeof fetch });
    single.resetCounts();
    expect((await failure(discovering.getToken())).code).toBe('ERR_OAUTH_DISCOVERY_FAILED');
    expect((await failure(explicit.getToken())).code).toBe('ERR_OAUTH_SERVER_UNAVAILABLE');
    expect((await failure(systemTrust.getToken())).code).toBe('ERR_OAUTH_DISCOVERY_FAILED');
    expect(single.tokenRequests).toBe(0);
    for (const t of [discovering, explicit, systemTrust]) t.close();
  });
});

describe('self_signed_tls_client_auth', () => {
  it('authenticates with the registered self-signed certificate and binds the token to it', async () => {
    const tokens = mtlsProvider(aliased, {
      clientId: OIDC_CLIENTS.selfSignedTlsClientAuth.clientId,
      clientAuth: { method: 'self_signed_tls_client_auth' },
      fetch: tlsFetch(pki.ca, pki.selfSigned),
    });
    aliased.resetCounts();
    const token = await tokens.getToken();
    expect(aliased.tokenRequestsWithCertificate).toBe(1);
    const claims = await verifier(aliased, true).verify(token.value.reveal());
    expect(claims.client_id).toBe(OIDC_CLIENTS.selfSignedTlsClientAuth.clientId);
    expect(claims.cnf).toEqual({ 'x5t#S256': pki.selfSigned.x5tS256 });
    tokens.close();
  });

  it('another certificate (even one from the trusted CA) is refused', async () => {
    const tokens = mtlsProvider(aliased, {
      clientId: OIDC_CLIENTS.selfSignedTlsClientAuth.clientId,
      clientAuth: { method: 'self_signed_tls_client_auth' },
      fetch: tlsFetch(pki.ca, pki.client),
    });
    expect((await failure(tokens.getToken())).code).toBe('ERR_OAUTH_CLIENT_REJECTED');
    tokens.close();
  });
});

describe('fleet mode: replicas with their own certificates (same client, same subject)', () => {
  it("a replica never adopts a token bound to another replica's certificate", async () => {
    const store = new MemoryStore();
    const replicaCert = await pki.issueClient();
    expect(replicaCert.subject).toBe(pki.client.subject);
    expect(replicaCert.x5tS256).not.toBe(pki.client.x5tS256);
    // Each replica names the certificate its fetch presents (required with a fleet).
    const a = mtlsProvider(aliased, {
      clientAuth: { method: 'tls_client_auth', certificate: pki.client.cert },
      fleet: { store },
    });
    const b = mtlsProvider(aliased, {
      clientAuth: { method: 'tls_client_auth', certificate: replicaCert.cert },
      fleet: { store },
      fetch: tlsFetch(pki.ca, replicaCert),
    });
    // A third replica with A's certificate (given as DER) shares A's token: one request.
    const a2 = mtlsProvider(aliased, {
      clientAuth: { method: 'tls_client_auth', certificate: Buffer.from(pki.client.x5c, 'base64') },
      fleet: { store },
    });
    aliased.resetCounts();
    const tokenA = await a.getToken();
    const tokenB = await b.getToken();
    expect(decodeJwt(tokenA.value.reveal()).cnf).toEqual({ 'x5t#S256': pki.client.x5tS256 });
    // B's token must be bound to B's certificate, or every call B makes is refused by the API.
    expect(decodeJwt(tokenB.value.reveal()).cnf).toEqual({ 'x5t#S256': replicaCert.x5tS256 });
    expect(aliased.tokenRequests).toBe(2);
    expect((await a2.getToken()).value.reveal()).toBe(tokenA.value.reveal());
    expect(aliased.tokenRequests).toBe(2);
    for (const p of [a, b, a2]) p.close();
  });

  it('mTLS with a fleet and no certificate is refused at construction', () => {
    expect(() => mtlsProvider(aliased, { fleet: { store: new MemoryStore() } })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
  });
});

describe('the fetch wrapper presents the certificate to a resource server that checks the binding', () => {
  let api: Server;
  let apiUrl: string;
  const outcomes: string[] = [];

  beforeAll(async () => {
    const check = verifier(aliased, true);
    api = createHttpsServer(
      {
        cert: pki.server.cert,
        key: pki.server.key,
        ca: [pki.ca, otherPki.ca],
        requestCert: true,
        rejectUnauthorized: true,
      },
      async (req, res) => {
        try {
          const claims = await check.verify(req.headers.authorization);
          // The proof of possession the verifier leaves to us (RFC 8705 §3): the token's
          // thumbprint must be that of the certificate on this connection.
          const peer = (req.socket as TLSSocket).getPeerX509Certificate();
          const bound = (claims.cnf as { 'x5t#S256'?: string } | undefined)?.['x5t#S256'];
          const ok =
            peer !== undefined &&
            bound === createHash('sha256').update(peer.raw).digest('base64url');
          outcomes.push(ok ? 'bound' : 'unbound');
          res.writeHead(ok ? 200 : 401).end();
        } catch {
          outcomes.push('invalid');
          res.writeHead(401).end();
        }
      },
    );
    const port = await freePort();
    await new Promise<void>((resolve) => api.listen(port, '127.0.0.1', resolve));
    apiUrl = `https://127.0.0.1:${port}/orders`;
  });
  afterAll(() => {
    api.closeAllConnections();
    return new Promise<void>((resolve) => api.close(() => resolve()));
  });

  it('200 with the bound token on the certificate-presenting connection', async () => {
    const tokens = mtlsProvider(aliased);
    outcomes.length = 0;
    const response = await tokens.fetch(apiUrl);
    expect(response.status).toBe(200);
    expect(outcomes).toEqual(['bound']);
    tokens.close();
  });

  it('a stolen bound token is refused over a connection with another (trusted) certificate', async () => {
    const tokens = mtlsProvider(aliased);
    const token = await tokens.getToken();
    // The API trusts otherPki's CA too, so the handshake succeeds; the binding check refuses.
    const thief = tlsFetch(pki.ca, otherPki.client);
    outcomes.length = 0;
    const response = await thief(apiUrl, {
      headers: { authorization: `Bearer ${token.value.reveal()}` },
    });
    expect(response.status).toBe(401);
    expect(outcomes).toEqual(['unbound']);
    tokens.close();
  });
});
