// ─── THE CLIENT: the part to copy ─────────────────────────────────────────────────────────────
// A service's client for a SaaS API that takes OAuth 2.0 client-credentials tokens. Every call goes
// through the token provider's `fetch`: it adds `Authorization: Bearer …`, caches the token in
// memory, refreshes it ahead of expiry, shares one token request among concurrent callers, and on a
// `401` refreshes once and retries once. The client never sees or stores the token itself.
import type { Redacted } from '@portcullis/core';
import { createTokenProvider, type TokenProvider } from '@portcullis/oauth';

/** How this service authenticates to the authorization server: one of the two usual ways. */
export type ClientCredentials =
  | { clientId: string; secret: string | Redacted<string> } // client_secret_basic
  | { clientId: string; privateKeyPem: string | Redacted<string> }; // private_key_jwt (no shared secret)

/** What {@link createInvoicesClient} needs. */
export interface InvoicesClientOptions {
  /** The authorization server's issuer URL; its token endpoint is discovered from it. */
  issuer: string;
  /** The API's base URL (every call goes here, and only here: the token is sent to it). */
  apiUrl: string;
  /** The API's resource indicator (RFC 8707): tokens are issued for this audience only. */
  resource: string;
  credentials: ClientCredentials;
  /** Local development over `http:` only. Default: false (https required). */
  allowInsecureHttp?: boolean;
}

/** An invoice as the API returns it. */
export interface Invoice {
  id: string;
  amount: number;
}

/** The methods the rest of the service calls. */
export interface InvoicesClient {
  listInvoices(): Promise<Invoice[]>;
  /** Stops background refreshes (call on shutdown). */
  close(): void;
}

export function createInvoicesClient(options: InvoicesClientOptions): InvoicesClient {
  const { credentials } = options;
  const tokens: TokenProvider = createTokenProvider({
    issuer: options.issuer,
    clientId: credentials.clientId,
    clientAuth:
      'secret' in credentials
        ? { method: 'client_secret_basic', secret: credentials.secret }
        : { method: 'private_key_jwt', privateKey: credentials.privateKeyPem, alg: 'ES256' },
    scope: 'invoices:read', // ask only for what this client needs
    resource: options.resource,
    ...(options.allowInsecureHttp ? { allowInsecureHttp: true } : {}),
  });

  return {
    async listInvoices() {
      const response = await tokens.fetch(new URL('/invoices', options.apiUrl));
      if (!response.ok) {
        // Never put the token or the response body in an error message: status only.
        throw new Error(`invoices API answered ${response.status}`);
      }
      return (await response.json()) as Invoice[];
    },
    close() {
      tokens.close();
    },
  };
}
