import type { Clock, Redacted, SecretInput, Telemetry } from '@portcullis/core';

/** One address a {@link Resolver} returned. */
export interface ResolvedAddress {
  /** The IP address, in any notation ipaddr.js reads (it is normalised before the check). */
  readonly address: string;
  /** `4` or `6`; informative only (the family is taken from the parsed address). */
  readonly family?: number;
}

/**
 * Resolves a host name to its addresses. The default uses the operating system's resolver
 * (`dns.lookup` with `all: true`). Inject one in tests, or to use a DNS client of your own.
 * Called once per new connection; the connection is made to an address it returned.
 */
export type Resolver = (
  hostname: string,
  options: { readonly signal?: AbortSignal },
) => Promise<readonly ResolvedAddress[]>;

/** What a {@link TokenSource} hands out: the shape of `@portcullis/oauth`'s `AccessToken`. */
export interface BearerToken {
  /** The token: boxed in a `Redacted` (revealed only when the header is written) or plain. */
  readonly value: Redacted<string> | string;
  /** The token type; `'Bearer'` when absent. `'DPoP'` tokens are refused (they need a proof). */
  readonly type?: string;
}

/**
 * Where `Authorization` comes from: anything with `getToken()`, such as the token provider of
 * `@portcullis/oauth` (`createTokenProvider(…)`) or an object of your own. With `invalidate`, a
 * `401` from the origin the token was sent to replaces the token once and retries once.
 */
export interface TokenSource {
  /** A token to send as `Authorization` (cached by the source; called once per request). */
  getToken(): Promise<BearerToken>;
  /**
   * Called with the very object `getToken()` returned, after the origin answered `401` to it.
   * (Typed `never` so that a source whose tokens carry more fields, like oauth's `AccessToken`,
   * still fits structurally.)
   */
  invalidate?(token: never): Promise<unknown>;
}

/** What {@link ResiliencePolicy.execute} passes to the work it runs: the attempt's signal. */
export interface ResilienceContext {
  readonly signal: AbortSignal;
}

/**
 * THE PLACE THE RESILIENCE PIPELINE PLUGS IN. Anything with `execute(fn, { signal })` that runs
 * `fn` (perhaps several times: retries, hedging) and returns or throws what it ends with: the
 * pipeline of `@portcullis/resilience` (`createPipeline(…)`), a cockatiel policy wrapped to this
 * shape, or a small object of your own. Egress calls it once per network request (each redirect
 * hop is its own request), inside the token step, so a retry resends the same request with the
 * same token. `fn` throws {@link EgressError}s for refusals (never worth retrying) and resolves
 * with the `Response` (its status is the pipeline's to judge).
 */
export interface ResiliencePolicy {
  /** Runs `fn` under the policy and settles as the last attempt did. */
  execute<T>(
    fn: (context: ResilienceContext) => Promise<T>,
    options: { readonly signal?: AbortSignal },
  ): Promise<T>;
}

/** One outbound call as the audit hook sees it: target and outcome, never a path, query or header. */
export interface EgressAuditEvent {
  readonly type: 'egress.request';
  /** The request method. */
  readonly method: string;
  /** Origin of the first request (`https://api.example.com`): no credentials, path or query. */
  readonly origin: string;
  /** Origin that answered, after redirects. */
  readonly finalOrigin: string;
  /** `'ok'`: a response came back (any status); `'refused'`: policy said no; `'failed'`: network/TLS/timeout. */
  readonly outcome: 'ok' | 'refused' | 'failed';
  /** HTTP status of the final response, when there was one. */
  readonly status?: number;
  /** The {@link EgressError} code, when the call did not end in a response. */
  readonly code?: string;
  /** Redirects followed. */
  readonly redirects: number;
  /** Milliseconds from the call to its response headers (or failure), on the injected clock. */
  readonly durationMs: number;
}

/** TLS settings for every connection (and the tunnelled connection through a proxy). */
export interface TlsOptions {
  /** Lowest TLS version accepted. Default: `'TLSv1.2'`. (Certificate validation cannot be turned off.) */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Extra CA certificates (PEM) to trust for servers, replacing Node's bundled roots. Default: Node's roots. */
  ca?: string | readonly string[];
  /** Client certificate chain (PEM) for mutual TLS. Default: none. */
  cert?: SecretInput;
  /** Client private key (PEM) for mutual TLS, ideally `Redacted`. Default: none. */
  key?: SecretInput;
  /** Passphrase of an encrypted `key`. Default: none. */
  passphrase?: SecretInput;
}

/** Options of {@link createSecureFetch}. */
export interface SecureFetchOptions {
  /**
   * Hosts that may be called: exact (`api.example.com`, an IP literal, `[::1]`), wildcard
   * (`*.example.com`: any subdomain, not the apex) or `*` (any host: for customer-supplied URLs,
   * where the address checks do the work), each optionally `:port` or `:*`. Without a port only
   * the scheme's default port is allowed. Required, non-empty.
   */
  allowHosts: readonly string[];
  /**
   * Addresses or CIDR ranges (`'10.1.0.0/16'`, `'127.0.0.1'`) exempt from the address check, for
   * an internal service you mean to call. Default: `[]` (only globally routable unicast).
   */
  allowAddresses?: readonly string[];
  /**
   * Allow plain `http:`, but only to loopback addresses (tests and local sidecars); still
   * refused elsewhere and never reached by an `https:` redirect. Default: `false`.
   */
  allowLoopbackHttp?: boolean;
  /** Redirects followed (each re-checked); 0 refuses every redirect. Default: `5`. */
  maxRedirects?: number;
  /** Largest response body, in bytes, counted after decompression. Default: `10485760` (10 MiB). */
  maxResponseBytes?: number;
  /**
   * Media types a response may have (`'application/json'`, compared without parameters,
   * case-insensitively); a response with a body and another type is refused. Default: any.
   */
  allowContentTypes?: readonly string[];
  /** TLS policy and client certificate. */
  tls?: TlsOptions;
  /** Time to open a connection (TCP + TLS). Milliseconds. Default: `10000`. */
  connectTimeoutMs?: number;
  /** Time to wait for response headers. Milliseconds. Default: `30000`. */
  headersTimeoutMs?: number;
  /** Longest pause between two chunks of the body. Milliseconds. Default: `30000`. */
  bodyTimeoutMs?: number;
  /** How long an idle pooled connection is kept. Milliseconds. Default: `4000`. */
  keepAliveTimeoutMs?: number;
  /** Most connections per origin in the pool. Default: no limit. */
  connectionsPerOrigin?: number;
  /**
   * Send every request through a forward proxy (`'http://proxy.internal:3128'`), or `'env'` to
   * read `HTTPS_PROXY`/`https_proxy` once, now (`NO_PROXY` is not read). Through a proxy the DNS
   * address check moves to the proxy (see the README). Default: none (direct connections).
   */
  proxy?: string | URL;
  /** Resolver for host names. Default: the operating system's (`dns.lookup`). */
  resolver?: Resolver;
  /** Source of the `Authorization` header. Default: none (headers as given). */
  tokens?: TokenSource;
  /** Resilience pipeline run around each network request. Default: none. */
  resilience?: ResiliencePolicy;
  /** Called once per call with its outcome; exceptions it throws are ignored. Default: none. */
  audit?: (event: EgressAuditEvent) => void;
  /** Clock for audit durations. Default: the system clock. */
  clock?: Clock;
  /**
   * Metrics sink: `egress.requests` (counter, by `outcome` and `code`) and `egress.duration_ms`
   * (histogram, by `outcome`). Default: `telemetry('@portcullis/egress')` (OpenTelemetry when
   * `@opentelemetry/api` is installed, otherwise nothing).
   */
  telemetry?: Telemetry;
}
