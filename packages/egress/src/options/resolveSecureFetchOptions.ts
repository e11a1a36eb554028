import {
  type Clock,
  telemetry as coreTelemetry,
  invalidArgument,
  type OptionRules,
  resolveOptions,
  rules,
  type SecretInput,
  systemClock,
  type Telemetry,
} from '@portcullis/core';
import ipaddr from 'ipaddr.js';
import { systemResolver } from '../internal/connector.ts';
import { compileHostAllowList, type HostAllowList } from '../internal/hostAllowList.ts';
import type { Resolver, SecureFetchOptions, TlsOptions } from './SecureFetchOptions.ts';

/**
 * The defaults of {@link createSecureFetch}'s options, in one place (the README's table is tested
 * against it).
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/egress';
 * DEFAULTS.maxResponseBytes; // 10485760
 * ```
 */
export const DEFAULTS: {
  readonly allowAddresses: readonly string[];
  readonly allowLoopbackHttp: false;
  readonly maxRedirects: 5;
  readonly maxResponseBytes: 10485760;
  readonly connectTimeoutMs: 10000;
  readonly headersTimeoutMs: 30000;
  readonly bodyTimeoutMs: 30000;
  readonly keepAliveTimeoutMs: 4000;
  readonly tls: { readonly minVersion: 'TLSv1.2' };
} = Object.freeze({
  allowAddresses: Object.freeze([]) as readonly string[],
  allowLoopbackHttp: false,
  maxRedirects: 5,
  maxResponseBytes: 10485760,
  connectTimeoutMs: 10000,
  headersTimeoutMs: 30000,
  bodyTimeoutMs: 30000,
  keepAliveTimeoutMs: 4000,
  tls: Object.freeze({ minVersion: 'TLSv1.2' }),
} as const);

/** A compiled address exemption: `[network, prefix length]`. */
export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** {@link SecureFetchOptions}, validated and complete. */
export interface ResolvedSecureFetchOptions
  extends Omit<
    SecureFetchOptions,
    'allowHosts' | 'allowAddresses' | 'tls' | 'proxy' | 'clock' | 'resolver' | 'telemetry'
  > {
  resolver: Resolver;
  telemetry: Telemetry;
  allowHosts: HostAllowList;
  allowAddresses: readonly Cidr[];
  allowLoopbackHttp: boolean;
  maxRedirects: number;
  maxResponseBytes: number;
  allowContentTypes?: readonly string[];
  tls: Required<Pick<TlsOptions, 'minVersion'>> & Omit<TlsOptions, 'minVersion'>;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** The proxy URL, `'env'` already read; undefined for direct connections. */
  proxy?: URL;
  clock: Clock;
}

const secret = rules.custom<SecretInput | undefined>((value, path) => {
  if (value === undefined || typeof value === 'string') return value;
  if (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { reveal?: unknown }).reveal === 'function'
  ) {
    return value as SecretInput;
  }
  throw invalidArgument(path, 'a string or a Redacted string');
});

function stringList(what: string, check?: (item: string, path: string) => void) {
  return rules.custom<readonly string[]>((value, path) => {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw invalidArgument(path, `an array of ${what}`);
    }
    for (const [i, v] of (value as string[]).entries()) check?.(v, `${path}[${i}]`);
    return Object.freeze([...value]) as readonly string[];
  });
}

function parseCidr(text: string, path: string): Cidr {
  try {
    if (text.includes('/')) return ipaddr.parseCIDR(text);
    const address = ipaddr.parse(text);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw invalidArgument(path, "an IP address or CIDR range ('10.0.0.0/8', '::1')", 'value');
  }
}

const tlsRules: OptionRules<TlsOptions> = {
  minVersion: rules.oneOf(['TLSv1.2', 'TLSv1.3'] as const),
  ca: rules.custom((value, path) => {
    if (value === undefined || typeof value === 'string') return value;
    return stringList('PEM certificates')(value, path);
  }),
  cert: secret,
  key: secret,
  passphrase: secret,
};

function proxyUrl(value: unknown, path: string): URL | undefined {
  if (value === undefined) return undefined;
  let text: string | undefined;
  if (value === 'env') {
    text = process.env.HTTPS_PROXY ?? process.env.https_proxy;
    if (text === undefined || text === '') return undefined;
  } else if (typeof value === 'string' || value instanceof URL) {
    text = String(value);
  } else {
    throw invalidArgument(path, "a proxy URL or 'env'");
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidArgument(path, 'an absolute http: or https: proxy URL', 'value');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidArgument(path, 'an absolute http: or https: proxy URL', 'value');
  }
  return url;
}

/** Validates {@link SecureFetchOptions} once, at construction. */
export function resolveSecureFetchOptions(input: SecureFetchOptions): ResolvedSecureFetchOptions {
  const resolved = resolveOptions<SecureFetchOptions, typeof DEFAULTS>('options', input, DEFAULTS, {
    allowHosts: rules.custom((value, path) => {
      if (value === undefined) throw invalidArgument(path, 'an array of host patterns');
      compileHostAllowList(value, path);
      return value as readonly string[];
    }),
    allowAddresses: stringList('IP addresses or CIDR ranges', (v, p) => void parseCidr(v, p)),
    allowLoopbackHttp: rules.boolean(),
    maxRedirects: rules.integer({ min: 0, max: 20 }),
    maxResponseBytes: rules.integer({ min: 1 }),
    allowContentTypes: rules.optional(stringList('media types')),
    tls: rules.object<TlsOptions, typeof DEFAULTS.tls>(DEFAULTS.tls, tlsRules),
    connectTimeoutMs: rules.durationMs(),
    headersTimeoutMs: rules.durationMs(),
    bodyTimeoutMs: rules.durationMs(),
    keepAliveTimeoutMs: rules.durationMs(),
    connectionsPerOrigin: rules.optional(rules.integer()),
    proxy: rules.custom((value) => value as string | URL | undefined),
    resolver: rules.optional(rules.func()),
    tokens: rules.optional(rules.implementing('getToken')),
    resilience: rules.optional(rules.implementing('execute')),
    audit: rules.optional(rules.func()),
    clock: rules.optional(rules.implementing<Clock>('now')),
    telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record')),
  });
  const tls = resolved.tls as ResolvedSecureFetchOptions['tls'];
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw invalidArgument('options.tls', 'an object with both cert and key, or neither', 'value');
  }
  const {
    allowHosts,
    allowAddresses,
    proxy,
    clock,
    resolver,
    telemetry,
    allowContentTypes,
    ...rest
  } = resolved;
  const out: ResolvedSecureFetchOptions = {
    ...rest,
    allowHosts: compileHostAllowList(allowHosts, 'options.allowHosts'),
    allowAddresses: allowAddresses.map((a, i) => parseCidr(a, `options.allowAddresses[${i}]`)),
    tls,
    clock: clock ?? systemClock,
    resolver: resolver ?? systemResolver,
    telemetry: telemetry ?? coreTelemetry('@portcullis/egress'),
  };
  if (allowContentTypes !== undefined) {
    out.allowContentTypes = allowContentTypes.map((t) => t.trim().toLowerCase());
  }
  const url = proxyUrl(proxy, 'options.proxy');
  if (url !== undefined) out.proxy = url;
  return out;
}
