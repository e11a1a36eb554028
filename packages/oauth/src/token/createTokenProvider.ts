import { telemetry as coreTelemetry, invalidArgument, systemClock } from '@portcullis/core';
import * as client from 'openid-client';
import { authorizedFetch, dpopSender, type Sender } from '../internal/authorizedFetch.ts';
import { toClientAuth } from '../internal/clientAuth.ts';
import { connect } from '../internal/connection.ts';
import { normalise, toParams } from '../internal/parameters.ts';
import { resolvePolicy } from '../internal/policy.ts';
import { storeKey, type TokenIdentity } from '../internal/storeKey.ts';
import { type SourceContext, type TokenResponse, TokenSource } from '../internal/TokenSource.ts';
import type { AccessToken } from './AccessToken.ts';
import type {
  GetTokenOptions,
  TokenParameters,
  TokenProviderOptions,
} from './TokenProviderOptions.ts';

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

function toUrl(value: string | URL, name: string): URL {
  try {
    return new URL(value);
  } catch {
    throw invalidArgument(name, 'an absolute URL', 'value');
  }
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
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const { clientId, issuer, tokenEndpoint } = options;
  if (typeof clientId !== 'string' || clientId === '')
    throw invalidArgument('clientId', 'a non-empty string');
  if (issuer === undefined && tokenEndpoint === undefined) {
    throw invalidArgument('issuer', 'a URL (or give tokenEndpoint)');
  }
  const issuerUrl = issuer === undefined ? undefined : toUrl(issuer, 'issuer');
  const endpointUrl =
    tokenEndpoint === undefined ? undefined : toUrl(tokenEndpoint, 'tokenEndpoint');
  const auth = toClientAuth(options.clientAuth);
  const policy = resolvePolicy(options.refresh);
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw invalidArgument('timeoutMs', 'a positive number', 'value');
  const baseFetch = options.fetch ?? globalThis.fetch;
  if (typeof baseFetch !== 'function') throw invalidArgument('fetch', 'a fetch function');
  const fleet = options.fleet;
  if (
    fleet !== undefined &&
    (typeof fleet !== 'object' || typeof fleet.store?.setIfAbsent !== 'function')
  ) {
    throw invalidArgument('fleet.store', 'a Store');
  }
  const storeTimeoutMs = fleet?.storeTimeoutMs ?? 1000;
  if (typeof storeTimeoutMs !== 'number' || !Number.isFinite(storeTimeoutMs) || storeTimeoutMs <= 0)
    throw invalidArgument('fleet.storeTimeoutMs', 'a positive number of milliseconds', 'value');
  // Tokens are bound to the certificate: replicas must not share one bound to another's.
  if (fleet !== undefined && auth.mtls && auth.certificateThumbprint === '') {
    throw invalidArgument(
      'clientAuth.certificate',
      'the client certificate (PEM or DER) when mTLS is used with `fleet`',
    );
  }

  const metadata: Partial<client.ClientMetadata> = { token_endpoint_auth_method: auth.method };
  if (auth.mtls) metadata.use_mtls_endpoint_aliases = true;
  const connection = connect({
    issuer,
    tokenEndpoint: endpointUrl,
    discovery: options.discovery ?? 'oidc',
    clientId,
    metadata,
    auth: auth.auth,
    timeoutMs,
    fetch: options.fetch,
    insecure: options.allowInsecureHttp === true,
    dpop: options.dpop,
  });

  const ctx: SourceContext = {
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    telemetry: options.telemetry ?? coreTelemetry('@portcullis/oauth'),
    policy,
    dpop: options.dpop !== undefined,
    async request(params) {
      const config = await connection.configuration();
      const handle = connection.dpopHandle();
      const dpop = handle === undefined ? undefined : { DPoP: await handle };
      return (await client.clientCredentialsGrant(config, params, dpop)) as TokenResponse;
    },
  };
  if (fleet !== undefined) {
    ctx.fleet = {
      store: fleet.store,
      lockTtlMs: fleet.lockTtlMs ?? 15_000,
      pollIntervalMs: fleet.pollIntervalMs ?? 100,
      storeTimeoutMs,
    };
  }
  const identity: TokenIdentity = {
    issuer: issuerUrl?.href ?? '',
    tokenEndpoint: endpointUrl?.href ?? '',
    clientId,
    method: auth.method,
    keyId: options.clientAuth.method === 'private_key_jwt' ? (options.clientAuth.kid ?? '') : '',
    certificateThumbprint: auth.certificateThumbprint,
    dpopKeys: connection.dpopKeys(),
  };
  const keyPrefix = fleet?.keyPrefix ?? 'portcullis:oauth:';

  const sender: Sender = { fetch: baseFetch };
  if (options.dpop !== undefined) {
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
      fleet === undefined ? undefined : storeKey(keyPrefix, identity, n),
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

  const main = makeHandle(options);
  const mainSource = main.source;
  return {
    // Bound directly to the source: the hot path is one method call.
    getToken: mainSource.getToken.bind(mainSource),
    invalidate: main.invalidate,
    fetch: main.fetch,
    handle(parameters: TokenParameters): TokenHandle {
      const { getToken, invalidate, fetch } = makeHandle(parameters);
      return { getToken, invalidate, fetch };
    },
    close() {
      closed = true;
      for (const { source } of sources.values()) source.close();
    },
  };
}
