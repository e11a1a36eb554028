import {
  type Clock,
  invalidArgument,
  type OptionRules,
  refuseUnknownKeys,
  resolveOptions,
  rules,
  type Store,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import type {
  ClientAuthOption,
  FleetOptions,
  GetTokenOptions,
  RefreshPolicy,
  TokenProviderOptions,
} from '../token/TokenProviderOptions.ts';
import { DEFAULTS } from './DEFAULTS.ts';

/** {@link RefreshPolicy} with every field filled in and checked. */
export type ResolvedPolicy = Required<RefreshPolicy>;
/** {@link FleetOptions} with every field filled in and checked. */
export type ResolvedFleet = Required<FleetOptions>;

/** {@link TokenProviderOptions}, checked, with every default filled in. */
export interface ResolvedProviderOptions
  extends Omit<
    TokenProviderOptions,
    'issuer' | 'tokenEndpoint' | 'refresh' | 'fleet' | 'clock' | 'random' | 'telemetry'
  > {
  issuer: string | URL | undefined;
  tokenEndpoint: string | URL | undefined;
  discovery: 'oidc' | 'oauth2';
  timeoutMs: number;
  allowInsecureHttp: boolean;
  refresh: ResolvedPolicy;
  fleet: ResolvedFleet | undefined;
  clock: Clock;
  random: () => number;
  telemetry: Telemetry;
}

/** An absolute URL, returned as given (the issuer identifier is compared as written). */
const url = rules.custom<string | URL>((value, path) => {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw invalidArgument(path, 'an absolute URL (string or URL)');
  }
  try {
    new URL(value);
  } catch {
    throw invalidArgument(path, 'an absolute URL', 'value');
  }
  return value;
});

/** Which keys each client authentication method takes. */
const CLIENT_AUTH_KEYS: Record<string, readonly string[]> = {
  client_secret_basic: ['method', 'secret'],
  client_secret_post: ['method', 'secret'],
  private_key_jwt: ['method', 'privateKey', 'alg', 'kid'],
  tls_client_auth: ['method', 'certificate'],
  self_signed_tls_client_auth: ['method', 'certificate'],
};

/** Checks the shape of `clientAuth` (its method and keys); the credential itself is checked in use. */
const clientAuth = rules.custom<ClientAuthOption>((value, path) => {
  if (typeof value !== 'object' || value === null) {
    throw invalidArgument(path, 'an object with a `method`');
  }
  const method = (value as { method?: unknown }).method;
  const keys = typeof method === 'string' ? CLIENT_AUTH_KEYS[method] : undefined;
  if (keys === undefined) {
    throw invalidArgument(
      `${path}.method`,
      Object.keys(CLIENT_AUTH_KEYS)
        .map((m) => `'${m}'`)
        .join(', '),
      'value',
    );
  }
  refuseUnknownKeys(value, keys, path);
  return value as ClientAuthOption;
});

const refreshRules: OptionRules<RefreshPolicy> = {
  refreshAheadRatio: rules.number({ min: 0, max: 0.9 }),
  jitterRatio: rules.number({ min: 0, max: 0.5 }),
  clockSkewMs: rules.durationMs({ min: 0 }),
  defaultLifetimeSec: rules.durationSec(),
  maxLifetimeSec: rules.durationSec(),
  minRefreshIntervalMs: rules.durationMs({ min: 0 }),
  initialBackoffMs: rules.durationMs(),
  maxBackoffMs: rules.durationMs(),
  rejectedCooldownMs: rules.durationMs({ min: 0 }),
};

const fleetRules: OptionRules<FleetOptions> = {
  store: rules.implementing<Store>('get', 'set', 'setIfAbsent', 'compareAndDelete'),
  keyPrefix: rules.string(),
  lockTtlMs: rules.durationMs(),
  pollIntervalMs: rules.durationMs(),
  storeTimeoutMs: rules.durationMs(),
};

const dpop = rules.custom<CryptoKeyPair | true>((value, path) => {
  if (value === true) return true;
  const pair = value as Partial<CryptoKeyPair> | null;
  if (typeof pair !== 'object' || pair === null || !pair.privateKey || !pair.publicKey) {
    throw invalidArgument(path, 'true or a CryptoKeyPair');
  }
  return value as CryptoKeyPair;
});

/** Passed on as given: `normalise()` checks the token parameters where they are read. */
const asGiven = <V>() => rules.custom<V>((value) => value as V);

const providerRules: OptionRules<TokenProviderOptions> = {
  issuer: rules.optional(url),
  tokenEndpoint: rules.optional(url),
  discovery: rules.oneOf(['oidc', 'oauth2'] as const),
  clientId: rules.custom<string>((value, path) => {
    if (typeof value !== 'string' || value === '')
      throw invalidArgument(path, 'a non-empty string');
    return value;
  }),
  clientAuth,
  scope: asGiven(),
  resource: asGiven(),
  audience: asGiven(),
  extraParameters: asGiven(),
  dpop: rules.optional(dpop),
  fleet: rules.optional(rules.object(DEFAULTS.fleet, fleetRules)),
  refresh: rules.object(DEFAULTS.refresh, refreshRules),
  timeoutMs: rules.durationMs(),
  fetch: rules.optional(rules.func<typeof fetch>()),
  allowInsecureHttp: rules.boolean(),
  clock: rules.optional(rules.implementing<Clock>('now', 'sleep', 'schedule')),
  random: rules.optional(rules.func<() => number>()),
  telemetry: rules.optional(rules.implementing<Telemetry>('count')),
};

const { fleet: _fleet, verifier: _verifier, ...PROVIDER_DEFAULTS } = DEFAULTS;

/**
 * Validates the options of `createTokenProvider` once: a `TypeError` (`ERR_INVALID_ARG_TYPE`,
 * `ERR_INVALID_ARG_VALUE`) for a wrong type, a value out of range or an unknown key, anywhere.
 */
export function resolveProviderOptions(options: TokenProviderOptions): ResolvedProviderOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const resolved = resolveOptions('options', options, PROVIDER_DEFAULTS, providerRules);
  const o = { ...resolved, refresh: resolved.refresh as ResolvedPolicy };
  if (o.issuer === undefined && o.tokenEndpoint === undefined) {
    throw invalidArgument('options.issuer', 'a URL (or give tokenEndpoint)');
  }
  if (o.refresh.refreshAheadRatio + o.refresh.jitterRatio > 0.95) {
    throw invalidArgument(
      'options.refresh.jitterRatio',
      'at most 0.95 - refreshAheadRatio',
      'value',
    );
  }
  return {
    ...o,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    telemetry: o.telemetry ?? telemetry('@portcullis/oauth'),
  } as ResolvedProviderOptions;
}

const getTokenRules: OptionRules<GetTokenOptions> = {
  forceRefresh: rules.optional(rules.boolean()),
  minValidityMs: rules.optional(rules.durationMs({ min: 0 })),
  signal: rules.optional(
    rules.custom<AbortSignal>((value, path) => {
      if (!(value instanceof AbortSignal)) throw invalidArgument(path, 'an AbortSignal');
      return value;
    }),
  ),
};

/** Checks the per-call options of `getToken()` (only when some are given: the hot path has none). */
export function resolveGetTokenOptions(options: GetTokenOptions | undefined): GetTokenOptions {
  return resolveOptions('options', options, {}, getTokenRules);
}
