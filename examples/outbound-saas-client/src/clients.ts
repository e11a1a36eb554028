// The part a service writes: real SaaS SDKs (@octokit/rest, stripe) whose every request goes out
// through @portcullis/egress. One call to createSecureFetch per partner gives each SDK its
// allow-list, the address checks at connect time, the TLS policy, a response cap, the bearer token
// from an oauth token provider (GitHub here) and the slot where the resilience pipeline plugs in.

import { Octokit } from '@octokit/rest';
import { type Redacted, reveal } from '@portcullis/core';
import {
  createSecureFetch,
  type EgressAuditEvent,
  type ResiliencePolicy,
  type SecureFetch,
  type TokenSource,
} from '@portcullis/egress';
import Stripe from 'stripe';

export interface SaasClientsOptions {
  /** GitHub REST base URL (`https://api.github.com` in production). */
  githubBaseUrl: string;
  /** Where GitHub tokens come from: `createTokenProvider(…)` of @portcullis/oauth. */
  githubTokens: TokenSource;
  /** Stripe API origin (`https://api.stripe.com` in production). */
  stripeUrl: string;
  /** The Stripe secret key, boxed. */
  stripeKey: Redacted<string>;
  /**
   * ▶ THE RESILIENCE PIPELINE PLUGS IN HERE: `createPipeline(…)` of @portcullis/resilience, or
   * anything with `execute(fn, { signal })`. Egress runs every request of both SDKs through it.
   */
  resilience?: ResiliencePolicy;
  /** Receives one event per call (origin, outcome, status, latency). */
  audit?: (event: EgressAuditEvent) => void;
  /** Local scaffolding only: plain http to loopback, and loopback addresses allowed. */
  loopback?: boolean;
}

export interface SaasClients {
  github: Octokit;
  stripe: Stripe;
  close(): Promise<void>;
}

function hostPort(url: string): string {
  const u = new URL(url);
  return u.port === '' ? u.hostname : `${u.hostname}:${u.port}`;
}

function egressFor(url: string, o: SaasClientsOptions, tokens?: TokenSource): SecureFetch {
  return createSecureFetch({
    allowHosts: [hostPort(url)],
    allowContentTypes: ['application/json'],
    maxResponseBytes: 5_000_000,
    maxRedirects: 3,
    ...(tokens === undefined ? {} : { tokens }),
    ...(o.resilience === undefined ? {} : { resilience: o.resilience }),
    ...(o.audit === undefined ? {} : { audit: o.audit }),
    ...(o.loopback === true ? { allowLoopbackHttp: true, allowAddresses: ['127.0.0.0/8'] } : {}),
  });
}

/** Builds the two SDK clients on egress. */
export function createSaasClients(o: SaasClientsOptions): SaasClients {
  const githubFetch = egressFor(o.githubBaseUrl, o, o.githubTokens);
  const stripeFetch = egressFor(o.stripeUrl, o);
  const github = new Octokit({
    baseUrl: o.githubBaseUrl,
    request: { fetch: githubFetch },
    // Octokit logs failed requests itself; the audit hook reports calls, so its log stays quiet.
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    // Octokit's own auth stays off: egress adds the oauth token (and replaces it once on a 401).
  });
  const stripeUrl = new URL(o.stripeUrl);
  const stripe = new Stripe(reveal(o.stripeKey), {
    httpClient: Stripe.createFetchHttpClient(stripeFetch),
    host: stripeUrl.hostname,
    port: stripeUrl.port === '' ? 443 : Number(stripeUrl.port),
    protocol: stripeUrl.protocol === 'http:' ? 'http' : 'https',
    maxNetworkRetries: 0, // retries are the resilience pipeline's, in one place
    telemetry: false,
  });
  return {
    github,
    stripe,
    close: async () => {
      await Promise.all([githubFetch.close(), stripeFetch.close()]);
    },
  };
}
