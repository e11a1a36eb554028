import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { freePort, waitFor } from './ports.ts';

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
 * requests; can be stopped and started again on the same port (outage tests).
 */
export async function startOidc(options: StartOidcOptions = {}): Promise<OidcPeer> {
  const ttl = options.accessTokenTtlSec ?? 60;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
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
    ],
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
  const handler = provider.callback();
  const count = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === '/token') tokenRequests++;
    if (req.method === 'GET' && path === '/jwks') jwksRequests++;
    handler(req, res);
  };

  let server: Server | undefined;
  const start = async (): Promise<void> => {
    if (server) return;
    const s = createServer(count);
    s.keepAliveTimeout = 1000;
    await waitFor(
      `oidc-provider on port ${port}`,
      () =>
        new Promise<boolean>((resolve, reject) => {
          s.once('error', reject);
          s.listen(port, '127.0.0.1', () => {
            s.off('error', reject);
            resolve(true);
          });
        }),
    );
    server = s;
  };
  const stop = async (): Promise<void> => {
    const s = server;
    if (!s) return;
    server = undefined;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    s.closeAllConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 3000))]);
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
    resetCounts() {
      tokenRequests = 0;
      jwksRequests = 0;
    },
    get running() {
      return server !== undefined;
    },
    stop,
    start,
  };
}
