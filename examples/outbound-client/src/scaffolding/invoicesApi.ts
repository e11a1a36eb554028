// ─── SCAFFOLDING: the SaaS vendor's side, not the client you copy ──────────────────────────────
// The "SaaS" invoices API the client calls. It accepts a request only with a valid RFC 9068 access
// token from the expected issuer, for this API (audience), with the `invoices:read` scope. If you
// run an API yourself, this is how @portcullis/oauth checks inbound tokens.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAccessTokenVerifier, isAccessTokenError } from '@portcullis/oauth';

export interface InvoicesApi {
  url: string;
  /** Requests answered 200 so far. */
  served(): number;
  close(): Promise<void>;
}

export async function startInvoicesApi(options: {
  issuer: string;
  resource: string;
}): Promise<InvoicesApi> {
  const verifier = createAccessTokenVerifier({
    issuer: options.issuer,
    audience: options.resource,
    requiredScopes: ['invoices:read'],
    allowInsecureHttp: true, // the local authorization server is http: (never in production)
  });
  let served = 0;
  const server: Server = createServer(async (req, res) => {
    try {
      // Signature (the issuer's JWKS, cached), typ at+jwt, issuer, audience, expiry, scope.
      const claims = await verifier.verify(req.headers.authorization);
      served++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify([{ id: 'in_1', amount: 4200, for: claims.client_id }]));
    } catch (error) {
      if (!isAccessTokenError(error)) {
        res.writeHead(500).end();
        return;
      }
      // 401 (missing, forged, expired), 403 (scope), 503 (keys unavailable), with the challenge.
      res.writeHead(error.status, {
        'www-authenticate': error.wwwAuthenticate,
        'content-type': 'application/json',
      });
      res.end(JSON.stringify(error.toJSON()));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served: () => served,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
