import ipaddr from 'ipaddr.js';

/** A parsed address (IPv4-mapped IPv6 already turned into IPv4). */
export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

const BRACKETED = /^\[([^\]]+)\](?::\d{1,5})?$/;
const V4_PORT = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/;

/**
 * Parses one address strictly: dotted-quad IPv4 (no octal, hex or short forms, which `inet_aton`
 * would read as other addresses) or IPv6, optionally as `[v6]`, `[v6]:port` or `v4:port` (some
 * proxies add the port). IPv4-mapped IPv6 (`::ffff:192.0.2.1`, how a dual-stack socket reports an
 * IPv4 client) becomes the IPv4 address. Anything else: `undefined`.
 */
export function parseIp(text: string): IpAddress | undefined {
  let s = text.trim();
  if (s.length === 0 || s.length > 64) return undefined;
  const bracketed = BRACKETED.exec(s);
  if (bracketed) s = bracketed[1] as string;
  else {
    const withPort = V4_PORT.exec(s);
    if (withPort) s = withPort[1] as string;
  }
  if (ipaddr.IPv4.isValidFourPartDecimal(s)) return ipaddr.IPv4.parse(s);
  if (bracketed === null && s.includes('.') && !s.includes(':')) return undefined;
  if (!ipaddr.IPv6.isValid(s)) return undefined;
  const v6 = ipaddr.IPv6.parse(s);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

/** A CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or a single address, or `undefined` if malformed. */
export function parseRange(text: string): [IpAddress, number] | undefined {
  const slash = text.indexOf('/');
  const address = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (address === undefined) return undefined;
  const max = address.kind() === 'ipv4' ? 32 : 128;
  if (slash < 0) return [address, max];
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return undefined;
  const bits = Number(bitsText);
  // An IPv4-mapped range written in IPv6 (::ffff:10.0.0.0/104) is the IPv4 range it maps.
  const mapped = address.kind() === 'ipv4' && text.includes(':');
  const adjusted = mapped ? bits - 96 : bits;
  if (adjusted < 0 || adjusted > max) return undefined;
  return [address, adjusted];
}

/** Whether `address` falls in `range` (an IPv4 address never matches an IPv6 range, and back). */
export function inRange(address: IpAddress, range: readonly [IpAddress, number]): boolean {
  if (address.kind() !== range[0].kind()) return false;
  return address.match(range[0] as never, range[1]);
}
