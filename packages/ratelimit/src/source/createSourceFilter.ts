import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { type IpAddress, inRange, parseIp, parseRange } from '../internal/ip.ts';
import { DEFAULTS } from '../options.ts';
import { type RequestSource, resolveClientAddress, TRUSTED_PROXY_HOPS } from './clientAddress.ts';
import { SourceError } from './SourceError.ts';

/** Address lists: CIDR ranges (`'192.0.2.0/24'`, `'2001:db8::/32'`) or single addresses. */
export interface SourceLists {
  /** When given (even empty), only addresses in one of these ranges pass. Default: every address. */
  allow?: readonly string[];
  /** Addresses in these ranges never pass, even when allowed. Default: none. */
  deny?: readonly string[];
}

/** Options of {@link createSourceFilter}. */
export interface SourceFilterOptions extends SourceLists {
  /**
   * Lists per key (a route, a partner, an API key id), used instead of the top-level lists when
   * `check(source, key)` names the key. An unknown key is a `TypeError`, never a silent pass.
   * Default: none.
   */
  byKey?: Readonly<Record<string, SourceLists>>;
  /**
   * Proxies of yours in front of the app that append to `X-Forwarded-For`; 0 trusts only the
   * socket. See `clientAddress`. Default: 0.
   */
  trustedProxyHops?: number;
}

/** What {@link createSourceFilter} returns. */
export interface SourceFilter {
  /**
   * The client address (normalised) when it may pass under `key`'s lists (or the top-level
   * ones); otherwise throws a `SourceError` (403).
   */
  check(source: RequestSource, key?: string): string;
  /** Whether an address (already known, e.g. from `clientAddress`) passes under `key`'s lists. */
  allows(address: string, key?: string): boolean;
}

interface Compiled {
  allow: readonly (readonly [IpAddress, number])[] | undefined;
  deny: readonly (readonly [IpAddress, number])[];
}

const list = rules.optional(
  rules.custom((value, path) => {
    if (!Array.isArray(value)) throw invalidArgument(path, 'an array of CIDR ranges');
    return value.map((entry: unknown, i) => {
      const range = typeof entry === 'string' ? parseRange(entry) : undefined;
      if (range === undefined) {
        throw invalidArgument(`${path}[${i}]`, 'an IPv4 or IPv6 address or CIDR range', 'value');
      }
      return range;
    });
  }),
);

function compile(lists: SourceLists | undefined, path: string): Compiled {
  const o = resolveOptions<{ allow?: unknown; deny?: unknown }, object>(
    path,
    lists,
    {},
    {
      allow: list,
      deny: list,
    },
  ) as { allow?: [IpAddress, number][]; deny?: [IpAddress, number][] };
  return { allow: o.allow, deny: o.deny ?? [] };
}

function passes(address: IpAddress, lists: Compiled): boolean {
  for (const range of lists.deny) if (inRange(address, range)) return false;
  if (lists.allow === undefined) return true;
  for (const range of lists.allow) if (inRange(address, range)) return true;
  return false;
}

/**
 * A CIDR allow/deny check on the client address, IPv4 and IPv6 (on `ipaddr.js`), for endpoints
 * that accept calls only from known networks (the webhook source ranges Stripe, GitHub or Twilio
 * publish, a partner's egress). Deny wins over allow. The address comes from the socket, or —
 * with `trustedProxyHops` — from the hop your outermost proxy recorded in `X-Forwarded-For`,
 * never from what the client wrote. IPv4-mapped IPv6 addresses match IPv4 ranges.
 *
 * @example
 * ```ts
 * import { createSourceFilter } from '@portcullis/ratelimit/source';
 *
 * const filter = createSourceFilter({
 *   trustedProxyHops: 1, // one load balancer in front
 *   deny: ['192.0.2.66'],
 *   byKey: { stripe: { allow: ['3.18.12.63', '3.130.192.231', '13.235.14.237'] } },
 * });
 * const address = filter.check(
 *   { remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '3.18.12.63' } },
 *   'stripe',
 * ); // '3.18.12.63'; anything else throws a SourceError (403)
 * ```
 */
export function createSourceFilter(options: SourceFilterOptions = {}): SourceFilter {
  const o = resolveOptions<SourceFilterOptions, typeof DEFAULTS.source>(
    'options',
    options,
    DEFAULTS.source,
    {
      allow: rules.optional(rules.custom((v) => v as readonly string[])),
      deny: rules.optional(rules.custom((v) => v as readonly string[])),
      byKey: rules.optional(rules.custom((v) => v as Record<string, SourceLists>)),
      trustedProxyHops: TRUSTED_PROXY_HOPS,
    },
  );
  const top: SourceLists = {};
  if (o.allow !== undefined) top.allow = o.allow;
  if (o.deny !== undefined) top.deny = o.deny;
  const base = compile(top, 'options');
  const byKey = new Map<string, Compiled>();
  if (o.byKey !== undefined) {
    if (typeof o.byKey !== 'object' || o.byKey === null) {
      throw invalidArgument('options.byKey', 'an object of lists');
    }
    for (const [key, lists] of Object.entries(o.byKey)) {
      byKey.set(key, compile(lists, `options.byKey.${key}`));
    }
  }
  const listsFor = (key: string | undefined): Compiled => {
    if (key === undefined) return base;
    const lists = byKey.get(key);
    if (lists === undefined) throw invalidArgument('key', 'a key of options.byKey', 'value');
    return lists;
  };
  return {
    check(source, key) {
      const lists = listsFor(key);
      const address = resolveClientAddress(source, o.trustedProxyHops);
      if (!passes(address, lists)) {
        throw new SourceError(
          'ERR_SOURCE_FORBIDDEN',
          'Requests from this address are not allowed.',
        );
      }
      return address.toString();
    },
    allows(address, key) {
      const lists = listsFor(key);
      const parsed = typeof address === 'string' ? parseIp(address) : undefined;
      return parsed !== undefined && passes(parsed, lists);
    },
  };
}
