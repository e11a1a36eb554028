import { invalidArgument } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import { utf8Bytes } from '../internal/encoding.ts';
import { type HeaderReader, malformed, requireHeader } from '../internal/headers.ts';
import { describeMessageId, isMessageId } from '../internal/messageId.ts';
import { defineScheme, type KeyMaterial, type ParsedHeaders } from '../internal/scheme.ts';
import { secretMalformed } from '../internal/secretErrors.ts';
import type { Scheme } from './Scheme.ts';

const HEADER = 'x-twilio-signature';
const decoder = new TextDecoder();

/**
 * Refuses Twilio's JSON variant: its signature covers only the URL (with `bodySHA256=<hex>` in
 * the query), the body being bound by that hash. Verifying it as a form request would accept any
 * body that parses to no parameter (`''`, `'='`) under a signature Twilio made for the URL alone.
 */
function refuseBodyHash(url: string): void {
  const q = url.indexOf('?');
  if (q === -1) return;
  const hash = url.indexOf('#', q);
  for (const name of new URLSearchParams(url.slice(q + 1, hash === -1 ? undefined : hash)).keys()) {
    if (name.toLowerCase() === 'bodysha256') {
      throw new WebhookError(
        'ERR_WEBHOOK_HEADER_MALFORMED',
        "The request URL has a bodySHA256 parameter: Twilio's JSON webhooks are not supported.",
        { header: ':path' },
      );
    }
  }
}

/**
 * The form parameters as Twilio signs them: sorted by name, then value (UTF-16 code units, as
 * JavaScript sorts), each written as name then value; a pair sent twice counts once, as in
 * Twilio's own validator, which de-duplicates the values of a repeated parameter.
 */
function formParams(body: Part): string {
  const text = typeof body === 'string' ? body : decoder.decode(body);
  const params = [...new URLSearchParams(text)].sort(([a, x], [b, y]) =>
    a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0,
  );
  let out = '';
  let last: [string, string] | undefined;
  for (const pair of params) {
    if (last !== undefined && last[0] === pair[0] && last[1] === pair[1]) continue;
    out += pair[0] + pair[1];
    last = pair;
  }
  return out;
}

/**
 * The other spellings of `url` Twilio's validator accepts: with its default port written out
 * (`https://h:443/p`) or left out (`https://h/p`). A non-default port is never dropped: that
 * would be another endpoint.
 */
function defaultPortSpellings(url: string): string[] {
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) return [];
  const out = new Set<string>([parsed.href]);
  if (parsed.port === '') {
    const auth =
      parsed.username || parsed.password
        ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@`
        : '';
    const port = parsed.protocol === 'https:' ? '443' : '80';
    out.add(
      `${parsed.protocol}//${auth}${parsed.host}:${port}${parsed.pathname}${parsed.search}${parsed.hash}`,
    );
  }
  out.delete(url);
  return [...out];
}

/**
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1>` over the full request URL followed by every
 * form parameter of the `application/x-www-form-urlencoded` body, sorted by name, each written as
 * name then value; keyed by the account's auth token as UTF-8 text. Pass the public URL Twilio
 * called as `url` to `verify` and `sign`, built from your configured public origin, never from the
 * request's `Host` header. No timestamp or id is signed, so replay protection keys on a digest of
 * the signed content. Twilio's JSON variant is not supported: a URL with a `bodySHA256` query
 * parameter is refused with `ERR_WEBHOOK_HEADER_MALFORMED` (`header: ':path'`), whatever the body.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.twilio, secrets: process.env.TWILIO_AUTH_TOKEN ?? '' });
 * // await verifier.verify({ headers, body, url: 'https://example.com/twilio/sms' });
 * ```
 */
export const twilio: Scheme = defineScheme({
  name: 'twilio',
  algorithm: 'sha1',
  encoding: 'base64',
  idSigned: false,
  timestampSigned: false,
  maxSignatures: 1,
  requiresUrl: true,
  headerNames: [HEADER],
  idRule: describeMessageId(),
  textSecrets: true,
  isValidId: (id) => isMessageId(id),

  decodeSecret(secret: string): KeyMaterial {
    if (secret === '') throw secretMalformed('twilio', 'it is empty');
    return { kind: 'hmac', bytes: utf8Bytes(secret) };
  },

  parse(read: HeaderReader): ParsedHeaders {
    const value = requireHeader(read, HEADER).trim();
    // Base64 has no comma: one here is the header sent twice and joined with ", ".
    if (value.includes(',')) throw malformed(HEADER, 'was sent more than once');
    return { id: undefined, timestamp: undefined, signatures: [{ kind: 'hmac', value }] };
  },

  content(_meta, body, url) {
    if (typeof url !== 'string' || url === '') {
      throw invalidArgument('url', 'the full public URL the Twilio request was sent to');
    }
    refuseBodyHash(url);
    return [url + formParams(body)];
  },

  alternatives(_meta, body, url) {
    // content() ran first and checked the URL.
    const params = formParams(body);
    return defaultPortSpellings(url as string).map((u) => [u + params]);
  },

  format(_meta, signatures) {
    return { [HEADER]: signatures[0]?.value ?? '' };
  },
});
