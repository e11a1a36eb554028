// Demo scene for @portcullis/oauth: a real OAuth server (oidc-provider) on 127.0.0.1, a resource
// server that verifies JWT access tokens, and 200 concurrent calls that cost one token request.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redacted } from '@portcullis/core';
import {
  createAccessTokenVerifier,
  createTokenProvider,
  isAccessTokenError,
  isOAuthError,
} from '@portcullis/oauth';

const CLIENT_ID = 'demo-billing';
const CLIENT_SECRET = 'demo-secret-0123456789abcdef0123456789';
const RESOURCE = 'https://api.demo.test';

interface ProviderModule {
  default: new (
    issuer: string,
    configuration: object,
  ) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };
}

// oidc-provider prints a warning when its development adapter is used: this one stays quiet.
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

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function startAuthorizationServer(): Promise<{
  issuer: string;
  tokenRequests: () => number;
  server: Server;
}> {
  const server = createServer();
  const issuer = await listen(server);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: 'demo-rs256',
    alg: 'RS256',
    use: 'sig',
  };
  const { default: Provider } = (await import('oidc-provider' as string)) as ProviderModule;
  const provider = new Provider(issuer, {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'invoices:read',
      },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: ['demo-cookie-key-0123456789abcdef'] },
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
          audience: RESOURCE,
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
  return { issuer, tokenRequests: () => tokenRequests, server };
}

/** Runs the OAuth scene, printing through `say`. */
export async function oauthScene(say: (line: string) => void): Promise<void> {
  const as = await startAuthorizationServer();
  const verifier = createAccessTokenVerifier({
    issuer: as.issuer,
    audience: RESOURCE,
    requiredScopes: ['invoices:read'],
    allowInsecureHttp: true, // local demo server only
  });
  // The resource server: every request must carry a valid token with the right scope.
  const api = createServer(async (req, res) => {
    try {
      const claims = await verifier.verify(req.headers.authorization);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ client: claims.client_id }));
    } catch (error) {
      if (!isAccessTokenError(error)) throw error;
      res.writeHead(error.status, { 'www-authenticate': error.wwwAuthenticate }).end();
    }
  });
  const apiUrl = await listen(api);
  try {
    say(`authorization server (oidc-provider) at ${as.issuer}, resource server at ${apiUrl}`);
    const tokens = createTokenProvider({
      issuer: as.issuer,
      clientId: CLIENT_ID,
      clientAuth: { method: 'client_secret_basic', secret: redacted(CLIENT_SECRET) },
      scope: 'invoices:read',
      resource: RESOURCE,
      allowInsecureHttp: true, // local demo server only
    });

    const calls = 200;
    const responses = await Promise.all(
      Array.from({ length: calls }, () => tokens.fetch(`${apiUrl}/invoices`)),
    );
    const ok = responses.filter((r) => r.status === 200).length;
    say(
      `${calls} concurrent API calls: ${ok} answered 200, using ${as.tokenRequests()} token request(s) at the server`,
    );

    const token = await tokens.getToken();
    say(
      `the token as a log line sees it: ${token.value} (fingerprint ${token.fingerprint}, ${token.type})`,
    );
    say(`JSON.stringify(token) → ${JSON.stringify(token).slice(0, 60)}…`);

    const claims = await verifier.verify(`Bearer ${token.value.reveal()}`);
    say(
      `verified as an RFC 9068 access token: client ${claims.client_id}, scopes [${claims.scopes.join(', ')}], audience ${String(claims.aud)}`,
    );

    const refused = await verifier.verify('Bearer not.a.token').catch((e: unknown) => e);
    if (isOAuthError(refused))
      say(`a forged token is refused: ${refused.code} → HTTP ${refused.status}`);
    tokens.close();
  } finally {
    await Promise.all([close(api), close(as.server)]);
  }
}
