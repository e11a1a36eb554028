import { createSecureContext } from 'node:tls';
import { reveal } from '@portcullis/core';
import { Agent, type Dispatcher, ProxyAgent } from 'undici';
import type { ResolvedSecureFetchOptions } from '../options/resolveSecureFetchOptions.ts';
import { secureConnector } from './connector.ts';

/**
 * The TLS policy as one secure context, made once: minimum version, trusted CAs, and the client
 * certificate. The key is revealed here only, straight into OpenSSL; no copy of the PEM text is
 * kept by egress. Certificate validation is never turned off (`rejectUnauthorized: true`).
 */
function tlsOptions(o: ResolvedSecureFetchOptions): {
  secureContext: ReturnType<typeof createSecureContext>;
  rejectUnauthorized: true;
} {
  const { minVersion, ca, cert, key, passphrase } = o.tls;
  const context: Parameters<typeof createSecureContext>[0] = { minVersion };
  if (ca !== undefined) context.ca = typeof ca === 'string' ? ca : [...ca];
  if (cert !== undefined && key !== undefined) {
    context.cert = reveal(cert);
    context.key = reveal(key);
    if (passphrase !== undefined) context.passphrase = reveal(passphrase);
  }
  return { secureContext: createSecureContext(context), rejectUnauthorized: true };
}

/**
 * The pool every request goes through: an `Agent` whose `connect` checks addresses at connect
 * time, or, with `proxy`, a `ProxyAgent` that tunnels to the origin (the proxy resolves names, so
 * the DNS address check is the proxy's; literal addresses are still checked here first).
 */
export function makeDispatcher(o: ResolvedSecureFetchOptions): Dispatcher {
  const tls = tlsOptions(o);
  const pool = {
    headersTimeout: o.headersTimeoutMs,
    bodyTimeout: o.bodyTimeoutMs,
    keepAliveTimeout: o.keepAliveTimeoutMs,
    ...(o.connectionsPerOrigin === undefined ? {} : { connections: o.connectionsPerOrigin }),
  };
  if (o.proxy !== undefined) {
    return new ProxyAgent({
      ...pool,
      uri: o.proxy.href,
      requestTls: tls,
      connectTimeout: o.connectTimeoutMs,
    });
  }
  return new Agent({
    ...pool,
    connect: secureConnector(tls, {
      allowAddresses: o.allowAddresses,
      allowLoopbackHttp: o.allowLoopbackHttp,
      resolver: o.resolver,
      connectTimeoutMs: o.connectTimeoutMs,
      clock: o.clock,
    }),
  });
}
