import { createHash } from 'node:crypto';
import { telemetry as coreTelemetry, invalidArgument, systemClock } from '@portcullis/core';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import * as client from 'openid-client';
import { OAuthError } from '../errors/OAuthError.ts';
import { authorizedFetch, dpopSender, type Sender } from '../internal/authorizedFetch.ts';
import { toClientAuth } from '../internal/clientAuth.ts';
import { resolvePolicy } from '../internal/policy.ts';
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
   * only when no valid token is left and a new one cannot be had.
   */
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  /**
   * Drops the cached token (only if it is `token`, when given), here and in the fleet store, so
   * the next call requests a new one.
   */
  invalidate(token?: AccessToken | string): Promise<void>;
  /**
   * `fetch` with `Authorization` (and a DPoP proof for DPoP tokens) added. On a `401` it
   * invalidates the token once, gets another and retries once; a second `401` is returned as is.
   * Send it only to the resource server the token is meant for.
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

function list(value: string | readonly string[] | undefined, name: string): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return [...value];
  throw invalidArgument(name, 'a string or an array of strings');
}

interface Normalised {
  scopes: string[];
  resources: string[];
  audience: string | undefined;
  extra: [string, string][];
}

function normalise(p: TokenParameters): Normalised {
  const scopes = [...new Set(list(p.scope, 'scope'))].sort();
  const resources = [...new Set(list(p.resource, 'resource'))].sort();
  if (p.audience !== undefined && typeof p.audience !== 'string') {
    throw invalidArgument('audience', 'a string');
  }
  const extra = Object.entries(p.extraParameters ?? {}).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  for (const [name, value] of extra) {
    if (typeof value !== 'string') throw invalidArgument(`extraParameters.${name}`, 'a string');
    if (
      name === 'grant_type' ||
      name === 'client_id' ||
      name === 'client_secret' ||
      name.startsWith('client_assertion')
    ) {
      throw invalidArgument(
        `extraParameters.${name}`,
        'a parameter the provider does not set itself',
        'value',
      );
    }
  }
  return { scopes, resources, audience: p.audience, extra };
}

function toParams(n: Normalised): URLSearchParams {
  const params = new URLSearchParams();
  if (n.scopes.length) params.set('scope', n.scopes.join(' '));
  for (const r of n.resources) params.append('resource', r);
  if (n.audience !== undefined) params.set('audience', n.audience);
  for (const [name, value] of n.extra) params.append(name, value);
  return params;
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
  const insecure = options.allowInsecureHttp === true;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const tele = options.telemetry ?? coreTelemetry('@portcullis/oauth');
  const fleet = options.fleet;
  if (
    fleet !== undefined &&
    (typeof fleet !== 'object' || typeof fleet.store?.setIfAbsent !== 'function')
  ) {
    throw invalidArgument('fleet.store', 'a Store');
  }

  const metadata: Partial<client.ClientMetadata> = {};
  if (auth.mtls) metadata.use_mtls_endpoint_aliases = true;
  if (
    auth.method === 'client_secret_basic' ||
    auth.method === 'client_secret_post' ||
    auth.method === 'private_key_jwt' ||
    auth.mtls
  ) {
    metadata.token_endpoint_auth_method = auth.method;
  }

  const applyOptions = (config: client.Configuration): client.Configuration => {
    if (options.fetch !== undefined)
      config[client.customFetch] = options.fetch as client.CustomFetch;
    config.timeout = Math.ceil(timeoutMs / 1000);
    return config;
  };

  let configuration: Promise<client.Configuration> | undefined;
  const getConfiguration = (): Promise<client.Configuration> => {
    configuration ??= (async () => {
      if (endpointUrl !== undefined) {
        const config = new client.Configuration(
          // Without an issuer, the token endpoint stands in (it is also the private_key_jwt audience).
          {
            issuer: issuer === undefined ? endpointUrl.href : String(issuer),
            token_endpoint: endpointUrl.href,
          },
          clientId,
          metadata,
          auth.auth,
        );
        if (insecure) client.allowInsecureRequests(config);
        return applyOptions(config);
      }
      try {
        const discoveryOptions: client.DiscoveryRequestOptions = {
          algorithm: options.discovery ?? 'oidc',
          timeout: Math.ceil(timeoutMs / 1000),
        };
        if (insecure) discoveryOptions.execute = [client.allowInsecureRequests];
        if (options.fetch !== undefined)
          discoveryOptions[client.customFetch] = options.fetch as client.CustomFetch;
        return applyOptions(
          await client.discovery(issuerUrl as URL, clientId, metadata, auth.auth, discoveryOptions),
        );
      } catch (cause) {
        throw new OAuthError(
          'ERR_OAUTH_DISCOVERY_FAILED',
          'The authorization server metadata could not be discovered.',
          { cause },
        );
      }
    })();
    // A failure is not kept: the next request discovers again.
    configuration.catch(() => {
      configuration = undefined;
    });
    return configuration;
  };

  let dpopKeys: Promise<CryptoKeyPair> | undefined;
  let dpopHandle: Promise<client.DPoPHandle> | undefined;
  const getDpopKeys = (): Promise<CryptoKeyPair> => {
    const dpop = options.dpop;
    dpopKeys ??=
      dpop === true ? client.randomDPoPKeyPair('ES256') : Promise.resolve(dpop as CryptoKeyPair);
    return dpopKeys;
  };
  const getDpopHandle = (): Promise<client.DPoPHandle> => {
    dpopHandle ??= (async () =>
      client.getDPoPHandle(await getConfiguration(), await getDpopKeys()))();
    dpopHandle.catch(() => {
      dpopHandle = undefined;
    });
    return dpopHandle;
  };
  const useDpop = options.dpop !== undefined;

  const ctx: SourceContext = {
    clock,
    random,
    telemetry: tele,
    policy,
    async request(params) {
      const config = await getConfiguration();
      const dpop = useDpop ? { DPoP: await getDpopHandle() } : undefined;
      return (await client.clientCredentialsGrant(config, params, dpop)) as TokenResponse;
    },
  };
  if (fleet !== undefined) {
    ctx.fleet = {
      store: fleet.store,
      lockTtlMs: fleet.lockTtlMs ?? 15_000,
      pollIntervalMs: fleet.pollIntervalMs ?? 100,
    };
  }

  const keyPrefix = fleet?.keyPrefix ?? 'portcullis:oauth:';
  const privateKeyId =
    options.clientAuth.method === 'private_key_jwt' ? (options.clientAuth.kid ?? '') : '';
  const storeKey = async (n: Normalised): Promise<string> => {
    let jkt = '';
    if (useDpop) {
      const { publicKey } = await getDpopKeys();
      jkt = await calculateJwkThumbprint(await exportJWK(publicKey));
    }
    const identity = JSON.stringify([
      issuerUrl?.href ?? '',
      endpointUrl?.href ?? '',
      clientId,
      auth.method,
      privateKeyId,
      n.scopes,
      n.resources,
      n.audience ?? '',
      n.extra,
      jkt,
    ]);
    return keyPrefix + createHash('sha256').update(identity).digest('base64url');
  };

  const sender: Sender = { fetch: baseFetch };
  if (useDpop) sender.dpop = dpopSender(getConfiguration, getDpopHandle);

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
      fleet === undefined ? undefined : storeKey(n),
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
