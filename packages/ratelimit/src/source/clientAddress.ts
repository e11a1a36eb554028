import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { type IpAddress, parseIp } from '../internal/ip.ts';
import { DEFAULTS } from '../options.ts';
import { SourceError } from './SourceError.ts';

/**
 * Request headers as frameworks hand them over: a Fetch API `Headers`, or Node's
 * `IncomingHttpHeaders` (lower-case names; a repeated header as an array or joined with `, `).
 */
export type HeadersLike =
  | {
      /** A header's value, or `null` when absent (as Fetch API `Headers.get`). */
      get(name: string): string | null;
    }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Where a request came from, as the server sees it. */
export interface RequestSource {
  /** The peer address of the TCP connection (`req.socket.remoteAddress` in Node). */
  remoteAddress: string | undefined;
  /** The request headers; read only when `trustedProxyHops` > 0. */
  headers?: HeadersLike | undefined;
}

/** Options of {@link clientAddress}. */
export interface ClientAddressOptions {
  /**
   * How many proxies of yours sit in front of the app, each appending to `X-Forwarded-For` the
   * address it received the request from. `0`: use the socket's peer and ignore the header.
   * From 0 to 32. Default: 0.
   */
  trustedProxyHops?: number;
}

/** The rule for `trustedProxyHops`, shared with `createSourceFilter`. */
export const TRUSTED_PROXY_HOPS: (value: unknown, path: string) => number = rules.integer({
  min: 0,
  max: 32,
});

function forwardedFor(headers: HeadersLike | undefined): string | undefined {
  if (headers === undefined) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get('x-forwarded-for') ?? undefined;
  }
  // Every field line, in order: a header sent twice is one list (RFC 9110 §5.3).
  const parts: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() !== 'x-forwarded-for' || value === undefined) continue;
    if (typeof value === 'string') parts.push(value);
    else parts.push(...(value as readonly string[]));
  }
  return parts.length === 0 ? undefined : parts.join(',');
}

function unknown(why: string): SourceError {
  return new SourceError(
    'ERR_SOURCE_ADDRESS_UNKNOWN',
    `The client address cannot be trusted: ${why}.`,
  );
}

/**
 * The client's address, parsed. With `trustedProxyHops` = 0 it is the socket's peer. With N > 0
 * (N proxies of yours in front, each appending the address it received from), it is the N-th
 * address counted from the right of the chain `X-Forwarded-For entries…, socket peer`: the
 * entries further left were written by the client and are never read. A request with fewer
 * entries than that (it did not come through your proxies) or a malformed entry at that place is
 * `ERR_SOURCE_ADDRESS_UNKNOWN`.
 */
export function resolveClientAddress(source: RequestSource, trustedProxyHops: number): IpAddress {
  if (typeof source !== 'object' || source === null) throw invalidArgument('source', 'an object');
  const { remoteAddress } = source;
  if (trustedProxyHops === 0) {
    const peer = remoteAddress === undefined ? undefined : parseIp(remoteAddress);
    if (peer === undefined) throw unknown('no usable socket address');
    return peer;
  }
  const header = forwardedFor(source.headers);
  if (header === undefined) throw unknown('no X-Forwarded-For from the trusted proxies');
  const entries = header.split(',');
  // Chain = entries + [socket peer]; the client is `trustedProxyHops` places left of its end.
  const index = entries.length - trustedProxyHops;
  if (index < 0) throw unknown('fewer X-Forwarded-For entries than trusted proxies');
  const address = parseIp(entries[index] as string);
  if (address === undefined) throw unknown('a malformed X-Forwarded-For entry');
  return address;
}

/**
 * The client address of a request as a normalised string (`'192.0.2.1'`, `'2001:db8::1'`): the
 * socket's peer, or — behind `trustedProxyHops` proxies of yours — the address the outermost of
 * them saw, from `X-Forwarded-For` (a header sent twice counts as one list). Never an address the
 * client wrote itself. Throws a `SourceError` (`ERR_SOURCE_ADDRESS_UNKNOWN`) when there is none.
 *
 * @example
 * ```ts
 * import { clientAddress } from '@portcullis/ratelimit/source';
 * // One load balancer in front: it appended the address it saw; the client wrote "1.1.1.1".
 * clientAddress(
 *   { remoteAddress: '10.0.0.5', headers: { 'x-forwarded-for': '1.1.1.1, 203.0.113.7' } },
 *   { trustedProxyHops: 1 },
 * ); // '203.0.113.7'
 * ```
 */
export function clientAddress(source: RequestSource, options: ClientAddressOptions = {}): string {
  const { trustedProxyHops } = resolveOptions<ClientAddressOptions, typeof DEFAULTS.source>(
    'options',
    options,
    DEFAULTS.source,
    { trustedProxyHops: TRUSTED_PROXY_HOPS },
  );
  return resolveClientAddress(source, trustedProxyHops).toString();
}
