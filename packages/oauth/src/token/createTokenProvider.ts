import { invalidArgument, refuseUnknownKeys } from '@portcullis/core';
import type * as client from 'openid-client';
import { toClientAuth } from '../internal/auth/clientAuth.ts';
import { storeKey, type TokenIdentity } from '../internal/fleet/storeKey.ts';
import { authorizedFetch, dpopSender, type Sender } from '../internal/http/authorizedFetch.ts';
import { connect, requestClientCredentials } from '../internal/http/connection.ts';
import type { SourceContext } from '../internal/source/SourceContext.ts';
import { TokenSource } from '../internal/source/TokenSource.ts';
import { normalise, toParams } from '../internal/token/parameters.ts';
import { resolveProviderOptions } from '../options/resolveProviderOptions.ts';
import type { AccessToken } from './AccessToken.ts';
import type {
  GetTokenOptions,
  TokenParameters,
  TokenProviderOptions,
} from './TokenProviderOptions.ts';

const TOKEN_PARAMETER_KEYS = ['scope', 'resource', 'audience', 'extraParameters'];

/**
 * Tokens for one set of {@link TokenParameters}, resolved once: calls on a handle go straight to
 * its cache entry (no key is built per call).
 *
 * @example
 * ```ts
 * import type { TokenHandle } from '@portcullis/oauth';
 * async function callApi(tokens: TokenHandle): Promise<Response> {
 *   return tokens.fetch('https://api.example.com/orders');
 * }
 * ```
 */
export interface TokenHandle {
  /**
   * A valid access token: the cached one (refreshed in the background ahead of expiry), or a new
   * one. Any number of concurrent callers share one token request. Rejects with an `OAuthError`
   * only when no valid token is left and a new one cannot be had. In a fleet, a new token is
   * returned once its store write and the lock release are done, each bounded by
   * `fleet.storeTimeoutMs`; a write landing later is deleted if the token is no longer current.
   */
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  /**
   * Drops the cached token (only if it is `token`, when given), here and in the fleet store, so
   * the next call requests a new one. In a fleet, resolves once the token's record is deleted
   * from the store (compare-and-delete, bounded by `fleet.storeTimeoutMs`); a write of it that ran
   * past that bound is deleted when it lands.
   */
  invalidate(token?: AccessToken | string): Promise<void>;
  /**
   * `fetch` with `Authorization` (and a DPoP proof for DPoP tokens) added. On a `401` it
   * invalidates the token once, gets another and retries once; a second `401` is returned as is.
   * A `401` after a redirect, or within `refresh.minRefreshIntervalMs` of the last token replaced
   * because of a `401`, is returned as is without a token request. The caller's `signal` is
   * honoured for Bearer and DPoP requests and while waiting for a token: an abort rejects at once
   * with the signal's reason. Send it only to the resource server the token is meant for.
   */
  readonly fetch: typeof fetch;
}

/**
 * What {@link createTokenProvider} returns: the default handle, plus handles for other parameters.
 *
 * @example
 * ```ts
 * import { createTokenProvider, type TokenProvider } from '@portcullis/oauth';
 * const tokens: TokenProvider = createTokenProvider({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'svc',
 *   clientAuth: { method: 'client_secret_basic', secret: process.env.CLIENT_SECRET ?? '' },
 * });
 * const reports = tokens.handle({ scope: 'reports:read' });
 * ```
 */
export interface TokenProvider extends TokenHandle {
  /** A handle for other scopes, resources, audience or parameters (same client). Memoised per parameter set. */
  handle(parameters: TokenParameters): TokenHandle;
  /** Stops background refreshes and forgets every token. Later calls reject with `ERR_OAUTH_CLOSED`. */
  close(): void;
}

/**
 * Creates a client-credentials token provider: tokens cached per (issuer, client, auth method and
 * key, scopes, resource, audience, DPoP key, extra parameters), refreshed in the background ahead
 * of expiry with jitter, one request for any number of concurrent callers, the valid token kept
 * in service while the authorization server is down, and optionally shared by a fleet through a
 * `Store`. See the package README for every rule.
 *
 * @example
 * ```ts
 * import { redacted } from '@portcullis/core';
 * import { createTokenProvider } from '@portcullis/oauth';
 *
 * const tokens = createTokenProvider({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'billing-service',
 *   clientAuth: { method: 'client_secret_basic', secret: redacted(process.env.CLIENT_SECRET ?? '') },
 *   scope: ['invoices:read'],
 *   resource: 'https://api.example.com',
 * });
 * const response = await tokens.fetch('https://api.example.com/invoices');
 * ```
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const o = resolveProviderOptions(options);
  const { clientId, issuer, tokenEndpoint, fleet, clock } = o;
  const issuerUrl = issuer === undefined ? undefined : new URL(issuer);
  const endpointUrl = tokenEndpoint === undefined ? undefined : new URL(tokenEndpoint);
  const auth = toClientAuth(o.clientAuth, { clock, timeoutMs: o.timeoutMs });
  const baseFetch = o.fetch ?? globalThis.fetch;
  // Tokens are bound to the certificate: replicas must not share one bound to another's.
  if (fleet !== undefined && auth.mtls && auth.certificateThumbprint === '') {
    throw invalidArgument(
      'options.clientAuth.certificate',
      'the client certificate (PEM or DER) when mTLS is used with `fleet`',
    );
  }

  const metadata: Partial<client.ClientMetadata> = { token_endpoint_auth_method: auth.method };
  if (auth.mtls) metadata.use_mtls_endpoint_aliases = true;
  const connection = connect({
    issuer,
    tokenEndpoint: endpointUrl,
    discovery: o.discovery,
    clientId,
    metadata,
    auth: auth.auth,
    timeoutMs: o.timeoutMs,
    fetch: o.fetch,
    insecure: o.allowInsecureHttp,
    dpop: o.dpop,
  });

  const ctx: SourceContext = {
    clock,
    random: o.random,
    telemetry: o.telemetry,
    policy: o.refresh,
    dpop: o.dpop !== undefined,
    request: (params) => requestClientCredentials(connection, params),
  };
  if (fleet !== undefined) {
    const { store, lockTtlMs, pollIntervalMs, storeTimeoutMs } = fleet;
    ctx.fleet = { store, lockTtlMs, pollIntervalMs, storeTimeoutMs };
  }
  const identity: TokenIdentity = {
    issuer: issuerUrl?.href ?? '',
    tokenEndpoint: endpointUrl?.href ?? '',
    clientId,
    method: auth.method,
    keyId: o.clientAuth.method === 'private_key_jwt' ? (o.clientAuth.kid ?? '') : '',
    certificateThumbprint: auth.certificateThumbprint,
    dpopKeys: connection.dpopKeys(),
  };

  const sender: Sender = { fetch: baseFetch };
  if (o.dpop !== undefined) {
    sender.dpop = dpopSender(
      connection.configuration,
      () => connection.dpopHandle() as Promise<client.DPoPHandle>,
    );
  }

  let closed = false;
  const sources = new Map<string, TokenHandle & { source: TokenSource }>();
  const makeHandle = (parameters: TokenParameters): TokenHandle & { source: TokenSource } => {
    const n = normalise(parameters);
    const id = JSON.stringify(n);
    const existing = sources.get(id);
    if (existing !== undefined) return existing;
    const source = new TokenSource(
      ctx,
      toParams(n),
      n.scopes,
      fleet === undefined ? undefined : storeKey(fleet.keyPrefix, identity, n),
    );
    if (closed) source.close();
    const handle = {
      source,
      getToken: (o?: GetTokenOptions) => source.getToken(o),
      invalidate: (t?: AccessToken | string) => source.invalidate(t),
      fetch: authorizedFetch(source, sender),
    };
    sources.set(id, handle);
    return handle;
  };

  const main = makeHandle(o);
  const mainSource = main.source;
  return {
    // Bound directly to the source: the hot path is one method call.
    getToken: mainSource.getToken.bind(mainSource),
    invalidate: main.invalidate,
    fetch: main.fetch,
    handle(parameters: TokenParameters): TokenHandle {
      if (typeof parameters !== 'object' || parameters === null) {
        throw invalidArgument('parameters', 'an object');
      }
      refuseUnknownKeys(parameters, TOKEN_PARAMETER_KEYS, 'parameters');
      const { getToken, invalidate, fetch } = makeHandle(parameters);
      return { getToken, invalidate, fetch };
    },
    close() {
      closed = true;
      for (const { source } of sources.values()) source.close();
    },
  };
}
