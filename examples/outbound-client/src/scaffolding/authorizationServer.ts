// ─── SCAFFOLDING, not what you copy ───────────────────────────────────────────────────────────
// Stands in for your real authorization server (Auth0, Okta, Entra ID, Keycloak…): oidc-provider,
// a certified OAuth server, on 127.0.0.1 with client credentials and resource indicators, issuing
// RFC 9068 JWT access tokens. It registers two clients: one with a secret, one with a public key
// (private_key_jwt). It counts token requests so the example can show the cache at work.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AuthorizationServer {
  issuer: string;
  /** `client_secret_basic` client. */
  secretClient: { clientId: string; secret: string };
  /** `private_key_jwt` client: its private key (PKCS#8 PEM); the server holds only the public key. */
  keyClient: { clientId: string; privateKeyPem: string };
  /** `POST /token` requests received so far. */
  tokenRequests(): number;
  close(): Promise<void>;
}

interface ProviderModule {
  default: new (
    issuer: string,
    configuration: object,
  ) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };
}

// oidc-provider warns on the console when its development adapter is used: this one stays quiet.
class MemoryAdapter {
  static data = new Map<string, object>();
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }
  async upsert(id: string, payload: object): Promise<void> {
    MemoryAdapter.data.set(`${this.name}:${id}`, payload);
  }
  async find(id: string): Promise<object | undefined> {
    return MemoryAdapter.data.get(`${this.name}:${id}`);
  }
  async findByUserCode(): Promise<undefined> {}
  async findByUid(): Promise<undefined> {}
  async consume(): Promise<void> {}
  async destroy(id: string): Promise<void> {
    MemoryAdapter.data.delete(`${this.name}:${id}`);
  }
  async revokeByGrantId(): Promise<void> {}
}

/** Starts the server on a free 127.0.0.1 port. Tokens are for `resource`, scope `invoices:read`. */
export async function startAuthorizationServer(resource: string): Promise<AuthorizationServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const secretClient = {
    clientId: 'billing-service',
    secret: crypto.randomUUID() + crypto.randomUUID(),
  };
  const keyClient = {
    clientId: 'billing-service-jwt',
    privateKeyPem: client.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
  const common = {
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: 'invoices:read',
  };

  const { default: Provider } = (await import('oidc-provider' as string)) as ProviderModule;
  const provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    clients: [
      { ...common, client_id: secretClient.clientId, client_secret: secretClient.secret },
      {
        ...common,
        client_id: keyClient.clientId,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        jwks: {
          keys: [{ ...client.publicKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig' }],
        },
      },
    ],
    jwks: {
      keys: [{ ...signing.export({ format: 'jwk' }), kid: 'as-1', alg: 'RS256', use: 'sig' }],
    },
    cookies: { keys: [crypto.randomUUID()] },
    scopes: ['openid', 'invoices:read'],
    ttl: { ClientCredentials: () => 300 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx: unknown, _client: unknown, oneOf?: string) => oneOf,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'invoices:read',
          audience: resource,
          accessTokenTTL: 300,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });

  let tokenRequests = 0;
  const handler = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && req.url === '/token') tokenRequests++;
    handler(req, res);
  });
  return {
    issuer,
    secretClient,
    keyClient,
    tokenRequests: () => tokenRequests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
