import ipaddr from 'ipaddr.js';

/** What {@link classifyAddress} found out about one IP address. */
export interface AddressClassification {
  /** The address in canonical form (`127.0.0.1`, `::ffff:7f00:1`), whatever notation came in. */
  readonly address: string;
  /** `4` or `6`: the family of {@link AddressClassification.address}. */
  readonly family: 4 | 6;
  /**
   * The special-purpose range the address falls in (ipaddr.js names: `'unicast'` for globally
   * routable unicast, `'loopback'`, `'private'`, `'linkLocal'`, `'carrierGradeNat'`, `'multicast'`,
   * `'unspecified'`, `'uniqueLocal'`, `'reserved'`, …). For an IPv6 address that embeds an IPv4
   * one (mapped, NAT64, 6to4, Teredo, IPv4-compatible) this is the range of the embedded address.
   */
  readonly range: string;
  /** The embedded IPv4 address that decided the range, when there is one. */
  readonly embedded?: string;
  /** Whether the address is globally routable unicast: the only kind egress allows by default. */
  readonly global: boolean;
}

/** The IPv4 address in the last 32 bits of `parts` (8 16-bit groups). */
function low32(parts: number[], xor = 0): ipaddr.IPv4 {
  const hi = ((parts[6] as number) ^ (xor >>> 16)) & 0xffff;
  const lo = ((parts[7] as number) ^ (xor & 0xffff)) & 0xffff;
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function fromGroups(a: number, b: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([a >> 8, a & 0xff, b >> 8, b & 0xff]);
}

/** The IPv4 addresses an IPv6 address carries, per the transition mechanism its prefix names. */
function embeddedIPv4(v6: ipaddr.IPv6, range: string): ipaddr.IPv4[] {
  const p = v6.parts;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
    case 'rfc6052': // 64:ff9b::a.b.c.d (NAT64), 64:ff9b:1::/48 (local-use NAT64)
      return [low32(p)];
    case '6to4': // 2002:AABB:CCDD::/48
      return [fromGroups(p[1] as number, p[2] as number)];
    case 'teredo': // 2001:0:SERVER:SERVER:flags:port:~CLIENT:~CLIENT
      return [fromGroups(p[2] as number, p[3] as number), low32(p, 0xffffffff)];
    default:
      // IPv4-compatible ::a.b.c.d (deprecated, RFC 4291): every group but the last two is zero.
      if (range === 'unicast' && p.slice(0, 6).every((g) => g === 0)) return [low32(p)];
      return [];
  }
}

/**
 * Classifies an IP address given in any notation ipaddr.js reads: dotted IPv4 with decimal,
 * octal (`0177.0.0.1`) or hex (`0x7f.0.0.1`) parts, short forms (`127.1`), a single number
 * (`2130706433`), and every IPv6 form (compressed, with an embedded dotted quad, with a zone).
 * IPv4 embedded in IPv6 is judged by the embedded address, so `::ffff:169.254.169.254`,
 * `64:ff9b::a9fe:a9fe`, `2002:a9fe:a9fe::` and a Teredo address whose client is
 * `169.254.169.254` are all link-local. Returns `undefined` for text that is not an IP address.
 *
 * @example
 * ```ts
 * import { classifyAddress } from '@portcullis/egress';
 * classifyAddress('0xa9.254.169.254'); // { address: '169.254.169.254', range: 'linkLocal', global: false, … }
 * classifyAddress('[::ffff:a9fe:a9fe]')?.range; // 'linkLocal'
 * classifyAddress('8.8.8.8')?.global; // true
 * ```
 */
export function classifyAddress(input: string): AddressClassification | undefined {
  const text = input.startsWith('[') && input.endsWith(']') ? input.slice(1, -1) : input;
  if (!ipaddr.isValid(text)) return undefined;
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv4') {
    const range = parsed.range();
    return { address: parsed.toString(), family: 4, range, global: range === 'unicast' };
  }
  const v6 = parsed as ipaddr.IPv6;
  // A zone (`%eth0`) only ever belongs to a link-local or other non-global address; drop it from
  // the canonical form so the address can be compared and connected to as is.
  const address = ipaddr.IPv6.parse(text.replace(/%.*$/, '')).toString();
  const range = v6.range();
  const embedded = embeddedIPv4(v6, range);
  if (embedded.length === 0) return { address, family: 6, range, global: range === 'unicast' };
  // Every embedded address must be globally routable; the first one that is not names the range.
  const refused = embedded.find((e) => e.range() !== 'unicast');
  const decisive = refused ?? (embedded[embedded.length - 1] as ipaddr.IPv4);
  return {
    address,
    family: 6,
    range: decisive.range(),
    embedded: decisive.toString(),
    global: refused === undefined,
  };
}
