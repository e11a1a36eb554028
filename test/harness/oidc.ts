import { randomBytes, X509Certificate } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { freePort, waitFor } from './ports.ts';
import type { TestPki } from './tls.ts';

// oidc-provider ships no types (they live in @types/oidc-provider); the slice used here.
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}
interface ProviderModule {
  default: (new (
    issuer: string,
    configuration: object,
  ) => ProviderInstance) & {
    errors: { InvalidTarget: new () => Error };
  };
}
const OIDC_PROVIDER = 'oidc-provider';

/** The clients every {@link startOidc} server registers (client credentials only). */
export const OIDC_CLIENTS = {
  basic: { clientId: 'svc-basic', secret: 'basic-secret-0123456789abcdef' },
  post: { clientId: 'svc-post', secret: 'post-secret-0123456789abcdef' },
  privateKeyJwt: { clientId: 'svc-jwt' },
  /** `tls_client_auth` (RFC 8705): registered by subject DN `CN=svc-mtls` (the PKI's `client`). Only with `mtls`. */
  tlsClientAuth: { clientId: 'svc-mtls', subjectDn: 'CN=svc-mtls' },
  /** `self_signed_tls_client_auth`: registered with the PKI's `selfSigned` certificate (`x5c`). Only with `mtls`. */
  selfSignedTlsClientAuth: { clientId: 'svc-mtls-self-signed' },
} as const;

/** The resource indicator whose tokens are JWTs (RFC 9068); any `https://api.*` resource works. */
export const OIDC_RESOURCE = 'https://api.portcullis.test';
/** Scopes every client may request. */
export const OIDC_SCOPES = ['orders:read', 'orders:write'] as const;

/** A running `oidc-provider` on 127.0.0.1, started by {@link startOidc}. */
export interface OidcPeer {
  issuer: string;
  port: number;
  tokenEndpoint: string;
  jwksUri: string;
  /** The private JWK of the `private_key_jwt` client (`svc-jwt`). */
  clientPrivateJwk: JWK;
  /** Token requests (`POST /token`) the server has received since start or the last reset. */
  readonly tokenRequests: number;
  /** JWKS requests (`GET /jwks`) received. */
  readonly jwksRequests: number;
  /** With `mtls`: token requests that presented a client certificate. */
  readonly tokenRequestsWithCertificate: number;
  /** With `mtls.endpointAliases`: the published `mtls_endpoint_aliases.token_endpoint`. */
  mtlsTokenEndpoint?: string;
  resetCounts(): void;
  /** Whether the server is listening. */
  readonly running: boolean;
  /** Stops listening and drops open connections (state, keys and clients are kept). */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
}

export interface StartOidcOptions {
  /** Lifetime of issued access tokens. Seconds. Default: 60. */
  accessTokenTtlSec?: number;
  /** Require server-issued DPoP nonces (`use_dpop_nonce` on the first DPoP request). Default: false. */
  dpopRequireNonce?: boolean;
  /**
   * Serve over HTTPS (issuer `https://127.0.0.1:<port>`) with mutual TLS (RFC 8705): the server
   * certificate and the trusted client CA come from `pki`; `features.mTLS` is on (certificate-bound
   * tokens, `tls_client_auth`, `self_signed_tls_client_auth`) and the two mTLS clients of
   * {@link OIDC_CLIENTS} are registered. Default: plain HTTP, no mTLS.
   */
  mtls?: OidcMtlsOptions;
}

export interface OidcMtlsOptions {
  /** From `makeTestPki()` (test/harness/tls.ts). */
  pki: TestPki;
  /**
   * Publish `mtls_endpoint_aliases.token_endpoint` on a second port whose listener asks for a
   * client certificate, while the main port does not ask for one (a common deployment). A client
   * that ignores the alias then reaches the token endpoint without a certificate and is refused.
   * Default: false (one listener, asking every client for a certificate).
   */
  endpointAliases?: boolean;
}

// A tiny in-memory adapter: oidc-provider warns (on the console) when its default one is used.
function memoryAdapter(): new (name: string) => object {
  const data = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  return class {
    readonly name: string;
    constructor(name: string) {
      this.name = name;
    }
    key(id: string): string {
      return `${this.name}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void> {
      data.set(this.key(id), { payload, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 });
    }
    async find(id: string): Promise<Record<string, unknown> | undefined> {
      const entry = data.get(this.key(id));
      if (!entry || entry.expiresAt < Date.now()) return undefined;
      return entry.payload;
    }
    async findByUserCode(): Promise<undefined> {
      return undefined;
    }
    async findByUid(): Promise<undefined> {
      return undefined;
    }
    async consume(id: string): Promise<void> {
      const entry = data.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string): Promise<void> {
      data.delete(this.key(id));
    }
    async revokeByGrantId(): Promise<void> {}
  };
}

/**
 * Starts `oidc-provider` (v9, a certified OpenID/OAuth server) on a free 127.0.0.1 port with
 * client credentials and resource indicators: a `resource` under `https://api.` gets RS256 JWT
 * access tokens (RFC 9068) with `accessTokenTtlSec` lifetime. Clients: {@link OIDC_CLIENTS}
 * (`client_secret_basic`, `client_secret_post`, `private_key_jwt`). Counts token and JWKS
 * requests; can be stopped and started again on the same port (outage tests). With `mtls`:
 * HTTPS, RFC 8705 client authentication and certificate-bound tokens (see {@link OidcMtlsOptions}).
 */
export async function startOidc(options: StartOidcOptions = {}): Promise<OidcPeer> {
  const ttl = options.accessTokenTtlSec ?? 60;
  const port = await freePort();
  const issuer = `${options.mtls === undefined ? 'http' : 'https'}://127.0.0.1:${port}`;
  const signing = await generateKeyPair('RS256', { extractable: true });
  const signingJwk = {
    ...(await exportJWK(signing.privateKey)),
    kid: 'as-rs256',
    alg: 'RS256',
    use: 'sig',
  };
  const client = await generateKeyPair('ES256', { extractable: true });
  const clientPrivateJwk: JWK = {
    ...(await exportJWK(client.privateKey)),
    kid: 'svc-jwt-1',
    alg: 'ES256',
  };
  const clientPublicJwk: JWK = {
    ...(await exportJWK(client.publicKey)),
    kid: 'svc-jwt-1',
    alg: 'ES256',
    use: 'sig',
  };
  const scope = OIDC_SCOPES.join(' ');
  const common = {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope,
  };

  const mtls = options.mtls;
  const aliasPort = mtls?.endpointAliases === true ? await freePort() : undefined;
  const mtlsTokenEndpoint =
    aliasPort === undefined ? undefined : `https://127.0.0.1:${aliasPort}/token`;
  const peerCertificate = (req: IncomingMessage): X509Certificate | undefined => {
    const socket = req.socket as TLSSocket;
    if (socket.encrypted !== true) return undefined;
    return socket.getPeerX509Certificate();
  };
  const mtlsClients =
    mtls === undefined
      ? []
      : [
          {
            ...common,
            client_id: OIDC_CLIENTS.tlsClientAuth.clientId,
            token_endpoint_auth_method: 'tls_client_auth',
            tls_client_auth_subject_dn: OIDC_CLIENTS.tlsClientAuth.subjectDn,
            tls_client_certificate_bound_access_tokens: true,
          },
          {
            ...common,
            client_id: OIDC_CLIENTS.selfSignedTlsClientAuth.clientId,
            token_endpoint_auth_method: 'self_signed_tls_client_auth',
            tls_client_certificate_bound_access_tokens: true,
            jwks: {
              keys: [
                {
                  ...(new X509Certificate(mtls.pki.selfSigned.cert).publicKey.export({
                    format: 'jwk',
                  }) as JWK),
                  x5c: [mtls.pki.selfSigned.x5c],
                },
              ],
            },
          },
        ];
  type Ctx = { req: IncomingMessage };

  const { default: Provider } = (await import(OIDC_PROVIDER)) as ProviderModule;
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        ...common,
        client_id: OIDC_CLIENTS.basic.clientId,
        client_secret: OIDC_CLIENTS.basic.secret,
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        ...common,
        client_id: OIDC_CLIENTS.post.clientId,
        client_secret: OIDC_CLIENTS.post.secret,
        token_endpoint_auth_method: 'client_secret_post',
      },
      {
        ...common,
        client_id: OIDC_CLIENTS.privateKeyJwt.clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: { keys: [clientPublicJwk] },
      },
      ...mtlsClients,
    ],
    ...(mtlsTokenEndpoint === undefined
      ? {}
      : { discovery: { mtls_endpoint_aliases: { token_endpoint: mtlsTokenEndpoint } } }),
    ...(mtls === undefined
      ? {}
      : {
          clientAuthMethods: [
            'client_secret_basic',
            'client_secret_post',
            'private_key_jwt',
            'none',
            'tls_client_auth',
            'self_signed_tls_client_auth',
          ],
        }),
    jwks: { keys: [signingJwk] },
    cookies: { keys: ['harness-cookie-key-0123456789abcdef'] },
    scopes: ['openid', 'offline_access', ...OIDC_SCOPES],
    ttl: { ClientCredentials: () => ttl },
    features: {
      devInteractions: { enabled: false },
      dPoP: options.dpopRequireNonce
        ? { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true }
        : { enabled: true },
      clientCredentials: { enabled: true },
      mTLS: {
        enabled: mtls !== undefined,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: (ctx: Ctx) => peerCertificate(ctx.req),
        // Verified by Node against the server's `ca` (the test CA); self-signed ones are not.
        certificateAuthorized: (ctx: Ctx) => (ctx.req.socket as TLSSocket).authorized === true,
        certificateSubjectMatches: (ctx: Ctx, property: string, expected: string) =>
          property === 'tls_client_auth_subject_dn' &&
          peerCertificate(ctx.req)?.subject === expected,
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string | string[]) =>
          oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, resourceIndicator: string) => {
          if (!resourceIndicator.startsWith('https://api.'))
            throw new Provider.errors.InvalidTarget();
          return {
            scope,
            audience: resourceIndicator,
            accessTokenTTL: ttl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });

  let tokenRequests = 0;
  let jwksRequests = 0;
  let tokenRequestsWithCertificate = 0;
  const handler = provider.callback();
  const count = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/token') {
      tokenRequests++;
      if (peerCertificate(req) !== undefined) tokenRequestsWithCertificate++;
    }
    if (req.method === 'GET' && path === '/jwks') jwksRequests++;
    handler(req, res);
  };

  // Each listener: its port and whether it asks clients for a certificate. The server always
  // accepts a connection without one (`rejectUnauthorized: false` on the SERVER side only), so
  // oidc-provider can answer `invalid_client` and self-signed certificates reach it.
  const listeners: { port: number; requestCert: boolean }[] = [
    { port, requestCert: mtls !== undefined && aliasPort === undefined },
  ];
  if (aliasPort !== undefined) listeners.push({ port: aliasPort, requestCert: true });
  const make = (requestCert: boolean): Server => {
    if (mtls === undefined) return createServer(count);
    return createHttpsServer(
      {
        cert: mtls.pki.server.cert,
        key: mtls.pki.server.key,
        ca: mtls.pki.ca,
        requestCert,
        rejectUnauthorized: false,
      },
      count,
    ) as unknown as Server;
  };

  let servers: Server[] | undefined;
  const listen = async (s: Server, on: number): Promise<void> => {
    s.keepAliveTimeout = 1000;
    await waitFor(
      `oidc-provider on port ${on}`,
      () =>
        new Promise<boolean>((resolve, reject) => {
          s.once('error', reject);
          s.listen(on, '127.0.0.1', () => {
            s.off('error', reject);
            resolve(true);
          });
        }),
    );
  };
  const start = async (): Promise<void> => {
    if (servers) return;
    const started: Server[] = [];
    for (const l of listeners) {
      const s = make(l.requestCert);
      await listen(s, l.port);
      started.push(s);
    }
    servers = started;
  };
  const stop = async (): Promise<void> => {
    const all = servers;
    if (!all) return;
    servers = undefined;
    await Promise.all(
      all.map(async (s) => {
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeAllConnections();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
      }),
    );
  };
  await start();

  return {
    issuer,
    port,
    tokenEndpoint: `${issuer}/token`,
    jwksUri: `${issuer}/jwks`,
    clientPrivateJwk,
    get tokenRequests() {
      return tokenRequests;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    get tokenRequestsWithCertificate() {
      return tokenRequestsWithCertificate;
    },
    ...(mtlsTokenEndpoint === undefined ? {} : { mtlsTokenEndpoint }),
    resetCounts() {
      tokenRequests = 0;
      jwksRequests = 0;
      tokenRequestsWithCertificate = 0;
    },
    get running() {
      return servers !== undefined;
    },
    stop,
    start,
  };
}
