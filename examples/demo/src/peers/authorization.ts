// The OAuth peers: the authorization server (oidc-provider, from the outbound-client example's
// scaffolding) and an API on 127.0.0.1 that requires its tokens (RFC 9068 JWTs, verified with
// @portcullis/oauth's verifier), both stopped with the demo.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AccessTokenClaims, createAccessTokenVerifier, isOAuthError } from '@portcullis/oauth';
import {
  type AuthorizationServer,
  startAuthorizationServer,
} from '@portcullis-examples/outbound-client/scaffolding/authorizationServer';
import { type LoopbackServer, serve } from './http.ts';
import { onStop } from './processes.ts';

/** The scope the scaffolding's server grants. */
export const SCOPE = 'invoices:read';

/** Starts oidc-provider on a free port; `close()` stops it (also at the end of the run). */
export async function startOAuthServer(resource: string): Promise<AuthorizationServer> {
  const as = await startAuthorizationServer(resource);
  const close = onStop(() => as.close());
  return { ...as, close };
}

/**
 * An API that answers only requests with a valid access token for `audience` and {@link SCOPE}
 * (401/403 with `WWW-Authenticate` otherwise), then hands them to `handle`.
 */
export async function startProtectedApi(
  issuer: string,
  audience: string,
  handle: (req: IncomingMessage, res: ServerResponse, claims: AccessTokenClaims) => void,
): Promise<LoopbackServer> {
  const verifier = createAccessTokenVerifier({
    issuer,
    audience,
    requiredScopes: [SCOPE],
    allowInsecureHttp: true, // the demo's loopback server only
  });
  return serve(async (req, res) => {
    let claims: AccessTokenClaims;
    try {
      claims = await verifier.verify(req.headers.authorization);
    } catch (error) {
      const status = isOAuthError(error) ? (error.status ?? 401) : 500;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (isOAuthError(error) && 'wwwAuthenticate' in error)
        headers['www-authenticate'] = String(error.wwwAuthenticate);
      const code = isOAuthError(error) ? error.code : 'ERR_INTERNAL';
      res.writeHead(status, headers).end(JSON.stringify({ code }));
      return;
    }
    handle(req, res, claims);
  });
}
