import ipaddr from 'ipaddr.js';
import { type AddressClassification, classifyAddress } from '../address/classifyAddress.ts';
import { EgressError } from '../errors/EgressError.ts';
import type { Cidr } from '../options/resolveSecureFetchOptions.ts';

function exempt(c: AddressClassification, cidrs: readonly Cidr[]): boolean {
  if (cidrs.length === 0) return false;
  const address = ipaddr.parse(c.address);
  const embedded = c.embedded === undefined ? undefined : ipaddr.parse(c.embedded);
  return cidrs.some(([network, bits]) => {
    if (address.kind() === network.kind() && address.match(network, bits)) return true;
    return embedded !== undefined && network.kind() === 'ipv4' && embedded.match(network, bits);
  });
}

/** What the address check needs. */
export interface AddressPolicy {
  allowAddresses: readonly Cidr[];
  allowLoopbackHttp: boolean;
}

/**
 * The one address check, for a literal in a URL and for each resolved address alike: the address
 * must be globally routable unicast (or exempted by `allowAddresses`), and plain `http:` may only
 * reach loopback. Returns the classification (its `address` is what to connect to).
 */
export function admitAddress(
  input: string,
  protocol: string,
  host: string,
  policy: AddressPolicy,
): AddressClassification {
  const c = classifyAddress(input);
  if (c === undefined) {
    throw new EgressError(
      'ERR_EGRESS_DNS_FAILED',
      `The host "${host}" did not resolve to an IP address.`,
      {
        host,
      },
    );
  }
  if (!c.global && !exempt(c, policy.allowAddresses)) {
    throw new EgressError(
      'ERR_EGRESS_ADDRESS_REFUSED',
      `The address of "${host}" is not globally routable (${c.range}): refused.`,
      { host, range: c.range },
    );
  }
  if (protocol !== 'https:' && !(policy.allowLoopbackHttp && c.range === 'loopback')) {
    throw new EgressError(
      'ERR_EGRESS_INSECURE_SCHEME',
      `Plain http: to "${host}" is refused: only https: is allowed${policy.allowLoopbackHttp ? ' beyond loopback' : ''}.`,
      { host },
    );
  }
  return c;
}
