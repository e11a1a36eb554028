import {
  type Clock,
  invalidArgument,
  type OptionRules,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import type { JSONWebKeySet, JWSAlgorithm } from 'jose';
import type { AccessTokenVerifierOptions } from '../verifier/AccessTokenVerifierOptions.ts';
import { DEFAULTS } from './DEFAULTS.ts';

/** The algorithms accepted when `algorithms` is not given: every asymmetric JWS algorithm. */
export const DEFAULT_ALGORITHMS: readonly JWSAlgorithm[] = Object.freeze([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);
/** RFC 9068's required claims: the default of `requiredClaims`. */
export const RFC9068_CLAIMS: readonly string[] = Object.freeze([
  'iss',
  'exp',
  'aud',
  'sub',
  'client_id',
  'iat',
  'jti',
]);
/** Required whatever `requiredClaims` says: without them a token is unbounded in time or target. */
const ALWAYS_REQUIRED = ['iss', 'exp', 'aud'];

/** {@link AccessTokenVerifierOptions}, checked, with every default filled in. */
export interface ResolvedVerifierOptions {
  issuer: string;
  audience: string[];
  jwksUri: URL | undefined;
  jwks: JSONWebKeySet | undefined;
  requiredScopes: string[];
  algorithms: JWSAlgorithm[];
  clockToleranceSec: number;
  requiredClaims: string[];
  allowSenderConstrained: boolean;
  realm: string | undefined;
  jwksTimeoutMs: number;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
  jwksMaxStaleMs: number;
  fetch: typeof fetch | undefined;
  allowInsecureHttp: boolean;
  clock: Clock;
  telemetry: Telemetry;
}

const strings = (what: string, allowEmpty: boolean) =>
  rules.custom<readonly string[]>((value, path) => {
    const list = typeof value === 'string' ? [value] : value;
    if (
      !Array.isArray(list) ||
      (!allowEmpty && list.length === 0) ||
      !list.every((a) => typeof a === 'string' && a !== '')
    ) {
      throw invalidArgument(path, what);
    }
    return [...list];
  });

const verifierRules: OptionRules<AccessTokenVerifierOptions> = {
  issuer: rules.string(),
  audience: strings('a non-empty string or array of strings', false),
  jwksUri: rules.optional(
    rules.custom<string | URL>((value, path) => {
      if (typeof value !== 'string' && !(value instanceof URL)) {
        throw invalidArgument(path, 'an absolute URL (string or URL)');
      }
      return value;
    }),
  ),
  jwks: rules.optional(
    rules.custom<JSONWebKeySet>((value, path) => {
      if (
        typeof value !== 'object' ||
        value === null ||
        !Array.isArray((value as JSONWebKeySet).keys)
      ) {
        throw invalidArgument(path, 'a JSON Web Key Set ({ keys: [...] })');
      }
      return value as JSONWebKeySet;
    }),
  ),
  requiredScopes: rules.optional(strings('an array of strings', true)),
  algorithms: rules.optional(
    rules.custom<readonly JWSAlgorithm[]>((value, path) => {
      if (
        !Array.isArray(value) ||
        value.length === 0 ||
        value.some((a) => typeof a !== 'string' || a === 'none' || /^HS/i.test(a))
      ) {
        throw invalidArgument(path, 'a non-empty list of asymmetric JWS algorithms', 'value');
      }
      return [...value] as JWSAlgorithm[];
    }),
  ),
  clockToleranceSec: rules.durationSec({ min: 0 }),
  requiredClaims: rules.optional(strings('an array of strings', true)),
  allowSenderConstrained: rules.boolean(),
  realm: rules.optional(rules.string()),
  jwksTimeoutMs: rules.durationMs(),
  jwksCooldownMs: rules.durationMs(),
  jwksCacheMaxAgeMs: rules.durationMs({ min: 0 }),
  jwksMaxStaleMs: rules.durationMs({ min: 0 }),
  fetch: rules.optional(rules.func<typeof fetch>()),
  allowInsecureHttp: rules.boolean(),
  clock: rules.optional(rules.implementing<Clock>('now', 'sleep', 'schedule')),
  telemetry: rules.optional(rules.implementing<Telemetry>('count')),
};

/** `value` as an https URL (http only with `allowInsecureHttp`). */
export function httpsUrl(value: string | URL, name: string, insecure: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalidArgument(name, 'an absolute URL', 'value');
  }
  if (parsed.protocol !== 'https:' && !(insecure && parsed.protocol === 'http:')) {
    throw invalidArgument(name, 'an https: URL (http: only with allowInsecureHttp)', 'value');
  }
  return parsed;
}

/**
 * Validates the options of `createAccessTokenVerifier` once: a `TypeError` for a wrong type, a
 * value out of range (a zero or `NaN` timeout) or an unknown key.
 */
export function resolveVerifierOptions(
  options: AccessTokenVerifierOptions,
): ResolvedVerifierOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const o = resolveOptions('options', options, DEFAULTS.verifier, verifierRules);
  const insecure = o.allowInsecureHttp;
  const jwksUri =
    o.jwksUri === undefined ? undefined : httpsUrl(o.jwksUri, 'options.jwksUri', insecure);
  if (o.jwks === undefined && jwksUri === undefined) httpsUrl(o.issuer, 'options.issuer', insecure);
  return {
    ...o,
    audience: [...o.audience],
    jwksUri,
    jwks: o.jwks,
    requiredScopes: [...(o.requiredScopes ?? [])],
    algorithms: [...(o.algorithms ?? DEFAULT_ALGORITHMS)],
    requiredClaims: [...new Set([...ALWAYS_REQUIRED, ...(o.requiredClaims ?? RFC9068_CLAIMS)])],
    realm: o.realm,
    fetch: o.fetch,
    clock: o.clock ?? systemClock,
    telemetry: o.telemetry ?? telemetry('@portcullis/oauth'),
  };
}
