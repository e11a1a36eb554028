import { classifyAddress } from '../address/classifyAddress.ts';
import { EgressError } from '../errors/EgressError.ts';
import type { ResolvedSecureFetchOptions } from '../options/resolveSecureFetchOptions.ts';
import { admitAddress } from './addressPolicy.ts';

/** Parses an absolute URL; anything else is `ERR_EGRESS_INVALID_URL` (the text is never echoed). */
export function parseUrl(input: string | URL, hop: number): URL {
  let url: URL;
  try {
    url = input instanceof URL ? new URL(input.href) : new URL(input);
  } catch {
    throw new EgressError('ERR_EGRESS_INVALID_URL', 'The URL is not an absolute URL.', { hop });
  }
  // `http://.` and `http://..` parse, with a host of dots: no name, no address.
  if (/^\.*$/.test(url.hostname) && url.protocol !== 'file:') {
    throw new EgressError('ERR_EGRESS_INVALID_URL', 'The URL has no usable host.', { hop });
  }
  if (url.username !== '' || url.password !== '') {
    throw new EgressError('ERR_EGRESS_INVALID_URL', 'The URL must not carry credentials.', {
      host: url.hostname,
      hop,
    });
  }
  return url;
}

/**
 * The checks a URL passes before any socket: scheme, allow-list (host and port), and, for a
 * literal IP host, the address check. Runs for the first request and again for every redirect.
 */
export function checkUrl(url: URL, hop: number, o: ResolvedSecureFetchOptions): void {
  const { protocol, hostname: host } = url;
  if (protocol !== 'https:' && !(protocol === 'http:' && o.allowLoopbackHttp)) {
    throw new EgressError(
      'ERR_EGRESS_INSECURE_SCHEME',
      `The scheme "${protocol}" is refused: only https: is allowed.`,
      {
        host,
        hop,
      },
    );
  }
  const port = url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (!o.allowHosts.allows(host, port, url.port === '')) {
    throw new EgressError(
      'ERR_EGRESS_HOST_NOT_ALLOWED',
      `The host "${url.host}" is not in allowHosts.`,
      { host, hop },
    );
  }
  if (host.startsWith('[') || classifyAddress(host) !== undefined) {
    try {
      admitAddress(host, protocol, host, o);
    } catch (error) {
      throw withHop(error, hop);
    }
  }
}

/** The same error with `hop` set (errors from the connector do not know which hop they were). */
export function withHop(error: unknown, hop: number): unknown {
  if (!(error instanceof EgressError) || error.hop === hop) return error;
  const copy = new EgressError(error.code, error.message, {
    ...(error.host === undefined ? {} : { host: error.host }),
    ...(error.range === undefined ? {} : { range: error.range }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
    hop,
  });
  return copy;
}
