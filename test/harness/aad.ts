import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { TestPki } from './tls.ts';

/** The tenant, client and scope the loopback token server knows. */
export const AAD = {
  tenantId: 'portcullis-test-tenant',
  clientId: 'portcullis-test-client',
  clientSecret: 'aad-client-secret-for-tests-only',
  scope: 'https://vault.azure.net/.default',
} as const;

/**
 * A loopback stand-in for Microsoft Entra ID's token endpoint (over HTTPS, the test CA): the
 * tenant's OpenID metadata and a client-credentials `POST /<tenant>/oauth2/v2.0/token` that checks
 * the client id, secret and scope. `@azure/identity`'s `ClientSecretCredential` (MSAL) talks to it
 * with `authorityHost` pointed here and `disableInstanceDiscovery`.
 */
export interface AadPeer {
  /** `https://127.0.0.1:<port>`: the credential's `authorityHost`. */
  readonly authorityHost: string;
  /** Token requests received. */
  readonly tokenRequests: number;
  /** Whether `token` was issued here for `scope` and has not expired. */
  accepts(token: string, scope: string): boolean;
  /** Forgets every issued token (they stop being accepted). */
  revokeAll(): void;
  /** Forgets the token issued last. */
  revokeLast(): void;
  stop(): Promise<void>;
}

function json(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startAad(pki: TestPki): Promise<AadPeer> {
  const issued = new Map<string, { scope: string; expiresAt: number }>();
  let tokenRequests = 0;
  let base = '';
  const server: Server = createServer(
    { cert: pki.server.cert, key: pki.server.key },
    (req, res) => {
      const url = new URL(req.url ?? '/', base);
      const tenantBase = `${base}/${AAD.tenantId}`;
      if (
        req.method === 'GET' &&
        url.pathname === `/${AAD.tenantId}/v2.0/.well-known/openid-configuration`
      ) {
        return json(res, 200, {
          issuer: `${tenantBase}/v2.0`,
          token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
          authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
          jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
          response_types_supported: ['code', 'token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
        });
      }
      if (req.method === 'POST' && url.pathname === `/${AAD.tenantId}/oauth2/v2.0/token`) {
        tokenRequests++;
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => {
          body += chunk;
        });
        req.on('end', () => {
          const form = new URLSearchParams(body);
          if (form.get('grant_type') !== 'client_credentials') {
            return json(res, 400, { error: 'unsupported_grant_type' });
          }
          if (
            form.get('client_id') !== AAD.clientId ||
            form.get('client_secret') !== AAD.clientSecret
          ) {
            return json(res, 401, {
              error: 'invalid_client',
              error_description: 'AADSTS7000215: Invalid client secret provided.',
            });
          }
          const scope = form.get('scope') ?? '';
          if (!scope.split(' ').includes(AAD.scope)) {
            return json(res, 400, {
              error: 'invalid_scope',
              error_description: `AADSTS70011: scope ${scope} is not valid.`,
            });
          }
          const token = randomBytes(24).toString('base64url');
          issued.set(token, { scope: AAD.scope, expiresAt: Date.now() + 3600_000 });
          return json(res, 200, {
            token_type: 'Bearer',
            expires_in: 3600,
            ext_expires_in: 3600,
            access_token: token,
          });
        });
        return;
      }
      json(res, 404, { error: 'not_found' });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('harness: no AAD port');
  base = `https://127.0.0.1:${address.port}`;
  return {
    authorityHost: base,
    get tokenRequests() {
      return tokenRequests;
    },
    accepts(token, scope) {
      const entry = issued.get(token);
      return entry !== undefined && entry.scope === scope && entry.expiresAt > Date.now();
    },
    revokeAll() {
      issued.clear();
    },
    revokeLast() {
      const last = [...issued.keys()].at(-1);
      if (last !== undefined) issued.delete(last);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
