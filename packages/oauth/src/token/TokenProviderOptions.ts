import type { Clock, Redacted, SecretSource, Store, Telemetry } from '@portcullis/core';
import type { CryptoKey, JWK } from 'jose';

/**
 * A secret given directly, boxed or not, or a function that resolves it for each token request:
 * core's `SecretSource`, kept under this name for compatibility. A resolver is bounded by
 * `timeoutMs`: one that does not settle in time fails the request as
 * `ERR_OAUTH_CREDENTIAL_UNAVAILABLE` (retried with backoff).
 *
 * @example
 * ```ts
 * import { redacted } from '@portcullis/core';
 * import type { SecretInput } from '@portcullis/oauth';
 * const fixed: SecretInput = redacted('s3cret');
 * const rotating: SecretInput = async () => redacted(process.env.CLIENT_SECRET ?? '');
 * ```
 */
export type SecretInput = SecretSource;

/**
 * A private key for `private_key_jwt`: a Web Crypto key, a private JWK, or a PKCS#8 PEM string.
 *
 * @example
 * ```ts
 * import type { PrivateKeyInput } from '@portcullis/oauth';
 * const pem: PrivateKeyInput = process.env.CLIENT_KEY_PEM ?? '';
 * ```
 */
export type PrivateKeyInput = CryptoKey | JWK | string;

/**
 * The client certificate of mTLS client authentication: PEM text (the first certificate of a chain
 * is the client's) or DER bytes. It is public: only its SHA-256 thumbprint is kept.
 *
 * @example
 * ```ts
 * import type { CertificateInput } from '@portcullis/oauth';
 * const certificate: CertificateInput = process.env.CLIENT_CERT_PEM ?? '';
 * ```
 */
export type CertificateInput = string | Uint8Array;

/**
 * How the client authenticates at the token endpoint.
 *
 * - `client_secret_basic` / `client_secret_post`: a shared secret (HTTP Basic, or in the body).
 * - `private_key_jwt`: a signed client assertion (RFC 7523); the key never leaves the process.
 * - `tls_client_auth` / `self_signed_tls_client_auth`: mutual TLS (RFC 8705). Pass a `fetch`
 *   (provider option) whose connections present the client certificate, e.g. undici's `fetch`
 *   with an `Agent({ connect: { cert, key } })`; tokens are then certificate-bound and the same
 *   `fetch` must reach the resource server. The server's `mtls_endpoint_aliases` are used. Give
 *   the same certificate as `certificate` (required with `fleet`): tokens are bound to it, so it
 *   is part of the fleet's store key and replicas with other certificates never share a token.
 *
 * @example
 * ```ts
 * import type { ClientAuthOption } from '@portcullis/oauth';
 * const auth: ClientAuthOption = { method: 'private_key_jwt', privateKey: process.env.CLIENT_KEY_PEM ?? '', alg: 'ES256' };
 * const mtls: ClientAuthOption = { method: 'tls_client_auth', certificate: process.env.CLIENT_CERT_PEM ?? '' };
 * ```
 */
export type ClientAuthOption =
  | { method: 'client_secret_basic' | 'client_secret_post'; secret: SecretInput }
  | {
      method: 'private_key_jwt';
      /** The private key, boxed or not, or a resolver called for each token request (bounded by `timeoutMs`). */
      privateKey:
        | PrivateKeyInput
        | Redacted<PrivateKeyInput>
        | (() =>
            | PrivateKeyInput
            | Redacted<PrivateKeyInput>
            | Promise<PrivateKeyInput | Redacted<PrivateKeyInput>>);
      /** The JWS algorithm. Default: the JWK's `alg`, else `RS256` for RSA keys and `ES256` for EC keys. */
      alg?: string;
      /** The key id put in the assertion header. Default: the JWK's `kid`, else none. */
      kid?: string;
    }
  | {
      method: 'tls_client_auth' | 'self_signed_tls_client_auth';
      /**
       * The certificate `fetch` presents (PEM or DER). Its SHA-256 thumbprint is part of the fleet
       * store key, as tokens are bound to it (RFC 8705 `cnf['x5t#S256']`). Required with `fleet`;
       * optional otherwise. Default: none.
       */
      certificate?: CertificateInput;
    };

/**
 * What a token is requested for. Each distinct set of parameters is its own cache entry.
 *
 * @example
 * ```ts
 * import type { TokenParameters } from '@portcullis/oauth';
 * const parameters: TokenParameters = { scope: ['orders:read'], resource: 'https://api.example.com' };
 * ```
 */
export interface TokenParameters {
  /** Scopes to request (a space-separated string or a list). Sorted for the cache key. Default: none. */
  scope?: string | readonly string[];
  /** Resource indicator(s) (RFC 8707): the API(s) the token is for. Default: none. */
  resource?: string | readonly string[];
  /** The `audience` parameter some servers (Auth0, Okta) use instead of `resource`. Default: none. */
  audience?: string;
  /** Further token request parameters, sent as given and part of the cache key. Default: none. */
  extraParameters?: Readonly<Record<string, string>>;
}

/**
 * When tokens are refreshed and how failures are retried. All fields optional.
 *
 * @example
 * ```ts
 * import type { RefreshPolicy } from '@portcullis/oauth';
 * const policy: RefreshPolicy = { refreshAheadRatio: 0.3, maxBackoffMs: 10_000 };
 * ```
 */
export interface RefreshPolicy {
  /**
   * Background refresh starts when this fraction of the token's lifetime is left. Default: 0.2.
   * A server-sent `refresh_in` (seconds) takes precedence.
   */
  refreshAheadRatio?: number;
  /**
   * Jitter widening the refresh window: each token's refresh moment is drawn uniformly between
   * `refreshAheadRatio` and `refreshAheadRatio + jitterRatio` of its lifetime left, so a fleet does
   * not refresh in lockstep. Default: 0.1.
   */
  jitterRatio?: number;
  /**
   * Safety margin before `expires_in` during which a token is no longer served: clocks differ
   * and a token must still be valid when it reaches the resource server. Capped at a quarter of
   * the token's lifetime so short-lived tokens stay usable. Milliseconds. Default: 30000.
   */
  clockSkewMs?: number;
  /** Lifetime assumed when a response has no `expires_in`. Seconds. Default: 300. */
  defaultLifetimeSec?: number;
  /**
   * Longest lifetime believed; longer `expires_in` values are cut to it, and a fleet store record
   * living longer is ignored. Seconds. Default: 86400.
   */
  maxLifetimeSec?: number;
  /**
   * Shortest time between two token requests for one key, whatever the token says: the earliest
   * refresh moment after a request, and the least time between two tokens replaced because a
   * resource server answered `401` to the `fetch` wrapper (a `401` within it is returned as is).
   * Milliseconds. Default: 1000.
   */
  minRefreshIntervalMs?: number;
  /**
   * First retry delay after a failed refresh; doubles per failure up to `maxBackoffMs`; each
   * delay is drawn between half and all of it ("half jitter"). Milliseconds. Default: 500.
   */
  initialBackoffMs?: number;
  /**
   * Longest retry delay, also the cap on a server's `Retry-After` (seconds or an HTTP date, read
   * whatever the body, JSON or not). Milliseconds. Default: 30000.
   */
  maxBackoffMs?: number;
  /**
   * After a configuration error (`invalid_client`, `invalid_scope`…), how long callers get the
   * error at once without a new request. Milliseconds. Default: 10000.
   */
  rejectedCooldownMs?: number;
}

/**
 * Fleet mode: share tokens and a refresh lock through a {@link Store}.
 *
 * @example
 * ```ts
 * import { MemoryStore } from '@portcullis/core';
 * import type { FleetOptions } from '@portcullis/oauth';
 * const fleet: FleetOptions = { store: new MemoryStore(), lockTtlMs: 20_000 };
 * ```
 */
export interface FleetOptions {
  /** The shared store, e.g. `RedisStore` from `@portcullis/store-redis`. */
  store: Store;
  /** Prefix of the store keys. Default: `'portcullis:oauth:'`. */
  keyPrefix?: string;
  /**
   * Lifetime of the refresh lock: a process that dies holding it blocks the others at most this
   * long. Should exceed `timeoutMs`. Milliseconds. Default: 15000.
   */
  lockTtlMs?: number;
  /** How often a process waiting on another's refresh looks for the new token. Milliseconds. Default: 100. */
  pollIntervalMs?: number;
  /**
   * Longest wait for one store call. A call that takes longer counts as a store failure
   * (`portcullis.oauth.store_errors`) and the process gets its token with its own request, so a
   * slow or hung store never hangs `getToken()`. After a refresh, `getToken()` waits for the store
   * write of the new token and the release of the lock, each bounded by this (at most twice it in
   * all); a write that lands later than this is deleted again if its token is no longer the one
   * held (invalidated, replaced or closed). Milliseconds. Default: 1000.
   */
  storeTimeoutMs?: number;
}

/**
 * Options of {@link createTokenProvider}.
 *
 * @example
 * ```ts
 * import type { TokenProviderOptions } from '@portcullis/oauth';
 * const options: TokenProviderOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'svc',
 *   clientAuth: { method: 'client_secret_post', secret: process.env.CLIENT_SECRET ?? '' },
 *   scope: 'orders:read',
 * };
 * ```
 */
export interface TokenProviderOptions extends TokenParameters {
  /**
   * The authorization server's issuer identifier. Its metadata is discovered (OpenID Connect
   * discovery, then RFC 8414) unless `tokenEndpoint` is given too. One of `issuer` and
   * `tokenEndpoint` is required.
   */
  issuer?: string | URL;
  /** The token endpoint, to skip discovery. Default: from discovery. */
  tokenEndpoint?: string | URL;
  /** Discovery flavour: `'oidc'` (`/.well-known/openid-configuration`) or `'oauth2'` (RFC 8414). Default: `'oidc'`. */
  discovery?: 'oidc' | 'oauth2';
  /** The client identifier. */
  clientId: string;
  /** Client authentication at the token endpoint. */
  clientAuth: ClientAuthOption;
  /**
   * Request DPoP-bound tokens (RFC 9449) with this key pair (`true`: a fresh ES256 pair made once
   * per provider). The `fetch` wrapper then sends DPoP proofs, and a server's `use_dpop_nonce`
   * is answered by one retry. A token response whose `token_type` is not `DPoP` is refused
   * (`ERR_OAUTH_INVALID_RESPONSE`): never a silent downgrade to Bearer. Default: off.
   */
  dpop?: CryptoKeyPair | true;
  /**
   * Fleet mode: processes sharing this store share tokens and refresh once per window. The
   * access token is the only credential ever written to the store. Anyone who can write the
   * store can serve tokens to the fleet (records are bounded by `refresh.maxLifetimeSec` and
   * `refresh.clockSkewMs`, and a token from the authorization server always replaces one read
   * from the store), so protect it like the client's credentials. Default: off (tokens stay in
   * this process's memory).
   */
  fleet?: FleetOptions;
  /** Refresh timing and retry. */
  refresh?: RefreshPolicy;
  /**
   * Timeout of each request to the authorization server, and the bound on each call of a secret
   * or key resolver. Milliseconds. Default: 10000.
   */
  timeoutMs?: number;
  /**
   * The `fetch` used for the authorization server and by the `fetch` wrapper. Needed for mTLS
   * (a client certificate). Default: `globalThis.fetch`.
   */
  fetch?: typeof fetch;
  /**
   * Allow plain `http:` URLs for the authorization server (local development and tests only).
   * Certificate checks are never turned off. Default: false.
   */
  allowInsecureHttp?: boolean;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Random numbers in [0, 1) for jitter. Default: `Math.random`. */
  random?: () => number;
  /** Where counts of requests, hits, refreshes and failures go. Default: `telemetry('@portcullis/oauth')`. */
  telemetry?: Telemetry;
}

/**
 * Per-call options of `getToken()`.
 *
 * @example
 * ```ts
 * import type { GetTokenOptions } from '@portcullis/oauth';
 * const options: GetTokenOptions = { minValidityMs: 60_000 };
 * ```
 */
export interface GetTokenOptions {
  /**
   * Skip the cache and request a new token (still one request for all concurrent callers; in a
   * fleet, a newer token another process has just stored may be taken instead). The server's
   * token replaces the held one if it is newer, or if the held one was read from the fleet store.
   * Default: false.
   */
  forceRefresh?: boolean;
  /**
   * Refuse a cached token with less than this left before it is no longer served, and get a new
   * one. Milliseconds. Default: 0. A token still before its refresh point is served even when it
   * cannot cover this (the server's lifetimes are too short for the ask): such a caller costs at
   * most one token request per refresh window.
   */
  minValidityMs?: number;
  /**
   * The caller's signal: an abort rejects this call at once with the signal's reason (an already
   * aborted signal rejects before anything else). The shared token request goes on for the
   * other callers. Default: none.
   */
  signal?: AbortSignal;
}
