import { invalidArgument } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';

/** `ERR_WEBHOOK_HEADER_MALFORMED` about the request path (`header: ':path'`). */
export function badPath(reason: string): WebhookError {
  return new WebhookError('ERR_WEBHOOK_HEADER_MALFORMED', `The request path ${reason}.`, {
    header: ':path',
  });
}

/**
 * The full URL of a request path under a configured public origin. The path must be a plain
 * origin-relative path: not `//host…` or `/\host…` (which WHATWG URL resolves to ANOTHER host, so a
 * signature made for another service's URL would verify here), no backslash anywhere, and the
 * resolved URL must keep the configured origin. Otherwise `ERR_WEBHOOK_HEADER_MALFORMED` with
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
  const base = new URL(origin);
  const url = URL.parse(path, base);
  if (url === null) throw badPath('is not a valid URL path');
  // The final guard, whatever the parser strips or folds (tabs, newlines…): same origin or refuse.
  if (url.origin !== base.origin) throw badPath('resolves to another origin');
  return url.href;
}
