// Demo scene for @portcullis/oauth: a real OAuth server (oidc-provider, started by the
// outbound-client example's scaffolding) on 127.0.0.1, a resource server that verifies JWT access
// tokens, and 200 concurrent calls that cost one token request.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redacted } from '@portcullis/core';
import {
  createAccessTokenVerifier,
  createTokenProvider,
  isAccessTokenError,
  isOAuthError,
} from '@portcullis/oauth';
import { startAuthorizationServer } from '@portcullis-examples/outbound-client/scaffolding/authorizationServer';

const RESOURCE = 'https://api.demo.test';

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

/** Runs the OAuth scene, printing through `say`. */
export async function oauthScene(say: (line: string) => void): Promise<void> {
  const as = await startAuthorizationServer(RESOURCE);
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
      clientId: as.secretClient.clientId,
      clientAuth: { method: 'client_secret_basic', secret: redacted(as.secretClient.secret) },
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
    await Promise.all([close(api), as.close()]);
  }
}
