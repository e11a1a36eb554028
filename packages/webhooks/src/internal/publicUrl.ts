import { invalidArgument } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import { malformed } from './headers.ts';

/** `ERR_WEBHOOK_HEADER_MALFORMED` about the request path (`header: ':path'`). */
export function badPath(reason: string): WebhookError {
  return new WebhookError('ERR_WEBHOOK_HEADER_MALFORMED', `The request path ${reason}.`, {
    header: ':path',
  });
}

/** A `.` or `..` segment, also written `%2e` (any case), in the path part (before `?`). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** Whether the path part of `target` has a segment that URL parsing would resolve away. */
export function hasDotSegment(target: string): boolean {
  const q = target.indexOf('?');
  const path = q === -1 ? target : target.slice(0, q);
  return path.split('/').some((segment) => DOT_SEGMENT.test(segment));
}

/**
 * The full URL of a request path under a configured public origin. The path must be a plain
 * origin-relative path: not `//host…` or `/\host…` (which WHATWG URL resolves to ANOTHER host, so a
 * signature made for another service's URL would verify here), no backslash anywhere, and the
 * resolved URL must keep the configured origin, and no `#` (a request target has no fragment). Otherwise `ERR_WEBHOOK_HEADER_MALFORMED` with
 * `header: ':path'`. A `publicOrigin` that is not an absolute URL is misuse (`TypeError`).
 */
export function publicUrl(path: string, origin: string): string {
  if (typeof origin !== 'string' || !URL.canParse(origin)) {
    throw invalidArgument(
      'publicOrigin',
      'an absolute URL such as "https://hooks.example.com"',
      'value',
    );
  }
  if (typeof path !== 'string' || path.charCodeAt(0) !== 0x2f /* / */ || path.startsWith('//')) {
    throw badPath('is not an origin-relative path');
  }
  if (path.includes('\\')) throw badPath('contains a backslash');
  // A request target never carries a fragment (RFC 9112 §3.2); one here was smuggled in.
  if (path.includes('#')) throw badPath('contains a fragment ("#")');
  // The framework routed on the raw path; URL parsing would resolve its dot segments to another.
  if (hasDotSegment(path)) throw badPath('has a "." or ".." segment (plain or percent-encoded)');
  const base = new URL(origin);
  const url = URL.parse(path, base);
  if (url === null) throw badPath('is not a valid URL path');
  // The final guard, whatever the parser strips or folds (tabs, newlines…): same origin or refuse.
  if (url.origin !== base.origin) throw badPath('resolves to another origin');
  return url.href;
}

/**
 * A plain `host[:port]`: an ASCII DNS name (an IDN in its punycode `xn--` form, as browsers and
 * proxies send it; raw UTF-8 is refused) or IPv4 address, or a bracketed IPv6 address, then a
 * port, which may be empty (`h:`, allowed by RFC 3986 §3.2.3).
 */
const PLAIN_AUTHORITY = /^(?:[A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;

/** The headers Node adapters (Hono, Next.js, Remix on Node) build `request.url`'s authority from. */
const AUTHORITY_HEADERS = ['host', 'x-forwarded-host'] as const;

/**
 * The path and query of a Fetch `Request`'s URL, for {@link publicUrl}, refusing what a client can
 * smuggle into it. Node adapters build `request.url` as `http://${Host}${req.url}`, and Node
 * accepts nearly any text in `Host`: `h/x`, `h\x` or `h?x` prefix the path or query (`/x/hook`),
 * `h#` or `h/x#` turn the real target into a fragment (`http://h/other-hook#/hook`, pathname
 * `/other-hook`), `u@h` adds user info, an empty Host makes the first path segment the host. So:
 * a URL with a fragment (even empty) or user info is refused, and so is a `Host` or
 * `X-Forwarded-Host` header on the request (each comma-separated item; empty
 * ones are skipped, but not the first)
 * that is not a plain `host[:port]` (ASCII; an empty port is allowed): all `ERR_WEBHOOK_HEADER_MALFORMED` (`header: ':path'`, or the header's name).
 */
export function requestPath(url: string, headers: Headers): string {
  const parsed = URL.parse(url);
  if (parsed === null) throw badPath('is not part of a valid URL');
  // The serializer keeps even an empty fragment (`…/hook#`), so look at the text.
  if (url.includes('#')) throw badPath('is followed by a fragment ("#")');
  if (parsed.username !== '' || parsed.password !== '') {
    throw badPath('is under a URL with user info ("@")');
  }
  for (const name of AUTHORITY_HEADERS) {
    const value = headers.get(name);
    if (value === null) continue;
    // Empty list items (`h,`, `a,,b`) are skipped, as RFC 9110 §5.6.1 asks, except the first:
    // adapters take the first item as the host (Express's `req.hostname`), and an empty host
    // makes the first path segment the host. So `""`, `" "` and `", h"` are refused.
    const items = value.split(',').map((item) => item.trim());
    if (items[0] === '') throw malformed(name, 'is not a plain host[:port]');
    for (const item of items) {
      if (item !== '' && !PLAIN_AUTHORITY.test(item)) {
        throw malformed(name, 'is not a plain host[:port]');
      }
    }
  }
  return parsed.pathname + parsed.search;
}
