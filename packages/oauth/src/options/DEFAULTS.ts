/**
 * The defaults of `RefreshPolicy` (the `refresh` option).
 *
 * @example
 * ```ts
 * import type { RefreshDefaults } from '@portcullis/oauth';
 * function backoffCap(d: RefreshDefaults): number { return d.maxBackoffMs; }
 * ```
 */
export interface RefreshDefaults {
  readonly refreshAheadRatio: number;
  readonly jitterRatio: number;
  readonly clockSkewMs: number;
  readonly defaultLifetimeSec: number;
  readonly maxLifetimeSec: number;
  readonly minRefreshIntervalMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly rejectedCooldownMs: number;
}

/**
 * The defaults of `FleetOptions` (fleet mode itself is off unless `fleet` is given).
 *
 * @example
 * ```ts
 * import type { FleetDefaults } from '@portcullis/oauth';
 * function lockTtl(d: FleetDefaults): number { return d.lockTtlMs; }
 * ```
 */
export interface FleetDefaults {
  readonly keyPrefix: string;
  readonly lockTtlMs: number;
  readonly pollIntervalMs: number;
  readonly storeTimeoutMs: number;
}

/**
 * The defaults of `AccessTokenVerifierOptions`.
 *
 * @example
 * ```ts
 * import type { VerifierDefaults } from '@portcullis/oauth';
 * function jwksTimeout(d: VerifierDefaults): number { return d.jwksTimeoutMs; }
 * ```
 */
export interface VerifierDefaults {
  readonly clockToleranceSec: number;
  readonly jwksTimeoutMs: number;
  readonly jwksCooldownMs: number;
  readonly jwksCacheMaxAgeMs: number;
  readonly jwksMaxStaleMs: number;
  readonly allowSenderConstrained: boolean;
  readonly allowInsecureHttp: boolean;
}

/**
 * The shape of {@link DEFAULTS}.
 *
 * @example
 * ```ts
 * import type { OAuthDefaults } from '@portcullis/oauth';
 * function timeout(d: OAuthDefaults): number { return d.timeoutMs; }
 * ```
 */
export interface OAuthDefaults {
  readonly discovery: 'oidc' | 'oauth2';
  readonly timeoutMs: number;
  readonly allowInsecureHttp: boolean;
  readonly refresh: RefreshDefaults;
  readonly fleet: FleetDefaults;
  /** The access-token verifier's defaults. */
  readonly verifier: VerifierDefaults;
}

/**
 * Every default of `@portcullis/oauth`, in one frozen object: the token provider's options at the
 * top level with `refresh` and `fleet` nested, and the access-token verifier's under `verifier`.
 * The options resolvers take their defaults from here and nowhere else; the README's defaults
 * table is tested against it.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/oauth';
 * DEFAULTS.timeoutMs; // 10000
 * DEFAULTS.fleet.lockTtlMs; // 15000
 * DEFAULTS.verifier.jwksTimeoutMs; // 5000
 * ```
 */
export const DEFAULTS: OAuthDefaults = Object.freeze({
  discovery: 'oidc',
  timeoutMs: 10_000,
  allowInsecureHttp: false,
  refresh: Object.freeze({
    refreshAheadRatio: 0.2,
    jitterRatio: 0.1,
    clockSkewMs: 30_000,
    defaultLifetimeSec: 300,
    maxLifetimeSec: 86_400,
    minRefreshIntervalMs: 1000,
    initialBackoffMs: 500,
    maxBackoffMs: 30_000,
    rejectedCooldownMs: 10_000,
  }),
  fleet: Object.freeze({
    keyPrefix: 'portcullis:oauth:',
    lockTtlMs: 15_000,
    pollIntervalMs: 100,
    storeTimeoutMs: 1000,
  }),
  verifier: Object.freeze({
    clockToleranceSec: 5,
    jwksTimeoutMs: 5000,
    jwksCooldownMs: 30_000,
    jwksCacheMaxAgeMs: 600_000,
    jwksMaxStaleMs: 86_400_000,
    allowSenderConstrained: false,
    allowInsecureHttp: false,
  }),
} as const);
