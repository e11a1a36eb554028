import { lookup } from 'node:dns/promises';
import { boundedCall, type Clock } from '@portcullis/core';
import { buildConnector } from 'undici';
import { EgressError } from '../errors/EgressError.ts';
import type { Resolver } from '../options/SecureFetchOptions.ts';
import { type AddressPolicy, admitAddress } from './addressPolicy.ts';

/** The operating system's resolver: every address, in the order it gives them. */
export const systemResolver: Resolver = async (hostname) =>
  lookup(hostname, { all: true, order: 'verbatim' });

/** What the connector needs beyond the address policy. */
export interface ConnectorOptions extends AddressPolicy {
  resolver: Resolver;
  connectTimeoutMs: number;
  clock: Clock;
}

/**
 * Resolves `hostname` once and checks every address it has: one refused address refuses the host
 * (a name that mixes public and private addresses is an attack or a mistake). Returns the
 * canonical addresses to connect to, in the resolver's order.
 */
export async function resolveTarget(
  hostname: string,
  protocol: string,
  o: ConnectorOptions,
): Promise<string[]> {
  // A literal (undici hands IPv6 without brackets) is checked as is: no lookup.
  const literal = /^[\d.]*\d[\d.]*$|:/.test(hostname);
  if (literal) return [admitAddress(hostname, protocol, hostname, o).address];
  let found: readonly { address: string }[];
  try {
    found = await boundedCall((signal) => o.resolver(hostname, { signal }), {
      timeoutMs: o.connectTimeoutMs,
      clock: o.clock,
      onTimeout: () =>
        new EgressError('ERR_EGRESS_TIMEOUT', `Resolving "${hostname}" took too long.`, {
          host: hostname,
        }),
    });
  } catch (cause) {
    if (cause instanceof EgressError) throw cause;
    throw new EgressError('ERR_EGRESS_DNS_FAILED', `The host "${hostname}" did not resolve.`, {
      host: hostname,
      cause,
    });
  }
  if (!Array.isArray(found) || found.length === 0) {
    throw new EgressError('ERR_EGRESS_DNS_FAILED', `The host "${hostname}" did not resolve.`, {
      host: hostname,
    });
  }
  return found.map((r) => admitAddress(String(r?.address), protocol, hostname, o).address);
}

const NEXT_ADDRESS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/**
 * An undici `connect` function that checks the address at connect time, after DNS, and opens the
 * socket to exactly the address it checked (undici is handed the IP, so nothing resolves the name
 * a second time: DNS rebinding cannot swap the address). TLS still verifies the certificate
 * against the original host name (SNI and `checkServerIdentity` use `servername`).
 */
export function secureConnector(
  tls: buildConnector.BuildOptions,
  o: ConnectorOptions,
): buildConnector.connector {
  const base = buildConnector({ ...tls, timeout: o.connectTimeoutMs });
  return (options, callback) => {
    const { hostname, protocol } = options;
    resolveTarget(hostname, protocol, o).then(
      (addresses) => {
        const attempt = (i: number): void => {
          const address = addresses[i] as string;
          base({ ...options, hostname: address }, (error, socket) => {
            const code = (error as { code?: string } | null)?.code;
            if (error !== null && i + 1 < addresses.length && NEXT_ADDRESS.has(code ?? '')) {
              attempt(i + 1);
            } else if (error !== null) {
              callback(error, null);
            } else {
              callback(null, socket as NonNullable<typeof socket>);
            }
          });
        };
        attempt(0);
      },
      (error: Error) => callback(error, null),
    );
  };
}
