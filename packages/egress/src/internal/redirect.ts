import { EgressError } from '../errors/EgressError.ts';
import { parseUrl } from './checkUrl.ts';
import type { PreparedRequest } from './request.ts';

/** Statuses that redirect (the fetch standard's list). */
export const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
/** Dropped when a redirect leaves the origin (the fetch standard drops `Authorization`). */
const CROSS_ORIGIN_DROP = ['authorization', 'cookie', 'proxy-authorization'];
const BODY_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
];

/**
 * The URL a redirect points to: an unusable `Location` (not a URL, credentials, no host) or a
 * step down from `https:` is `ERR_EGRESS_REDIRECT_REFUSED`. The usual URL checks follow, by the
 * caller, as for any request.
 */
export function redirectTarget(location: string, from: URL, hop: number): URL {
  let next: URL;
  try {
    next = parseUrl(new URL(location, from), hop);
  } catch {
    throw new EgressError('ERR_EGRESS_REDIRECT_REFUSED', 'The redirect Location is unusable.', {
      host: from.hostname,
      hop,
    });
  }
  if (from.protocol === 'https:' && next.protocol !== 'https:') {
    throw new EgressError(
      'ERR_EGRESS_REDIRECT_REFUSED',
      'A redirect from https: to another scheme is refused.',
      { host: next.hostname, hop },
    );
  }
  return next;
}

/**
 * The request to send to the redirect target, per the fetch standard: `303` (except after `HEAD`)
 * and `301`/`302` after `POST` become a bodiless `GET`; `307`/`308` keep method and body. Leaving
 * the origin drops credentials from `headers` (which it edits). Returns whether it left.
 */
export function redirectedRequest(
  status: number,
  current: PreparedRequest,
  headers: Headers,
  from: URL,
  to: URL,
): { request: PreparedRequest; crossOrigin: boolean } {
  const crossOrigin = to.origin !== from.origin;
  if (crossOrigin) for (const h of CROSS_ORIGIN_DROP) headers.delete(h);
  const toGet =
    (status === 303 && current.method !== 'HEAD') ||
    ((status === 301 || status === 302) && current.method === 'POST');
  if (!toGet) return { request: current, crossOrigin };
  for (const h of BODY_HEADERS) headers.delete(h);
  return { request: { ...current, method: 'GET', body: null }, crossOrigin };
}
