import { invalidArgument } from '@portcullis/core';
import type { Part } from '../internal/crypto/CryptoBackend.ts';
import { decodeBase64, decodeHex, utf8Bytes } from '../internal/encoding.ts';
import {
  type HeaderReader,
  malformed,
  parseTimestamp,
  requireHeader,
} from '../internal/headers.ts';
import { describeMessageId, isMessageId, messageIdRule } from '../internal/messageId.ts';
import { resolveHmacSchemeOptions } from '../internal/options.ts';
import {
  defineScheme,
  type KeyMaterial,
  type ParsedHeaders,
  type SignatureCandidate,
} from '../internal/scheme.ts';
import { secretMalformed } from '../internal/secretErrors.ts';
import type { HmacSchemeOptions } from '../options.ts';
import type { Scheme } from './Scheme.ts';

const PLACEHOLDER = /\{(id|timestamp|body)\}/g;

/**
 * Declares an HMAC signature scheme in a few lines. The result drives `createSigner`,
 * `createVerifier` and `explain` like the built-in schemes (GitHub, Shopify and Slack are
 * declared this way).
 *
 * @example
 * ```ts
 * import { createVerifier, defineHmacScheme } from '@portcullis/webhooks';
 * const acme = defineHmacScheme({
 *   name: 'acme',
 *   signatureHeader: 'X-Acme-Signature',
 *   signaturePrefix: 'sha256=',
 *   timestampHeader: 'X-Acme-Timestamp',
 *   signedContent: '{timestamp}.{body}',
 * });
 * const verifier = createVerifier({ scheme: acme, secrets: 'acme-secret' });
 * ```
 */
export function defineHmacScheme(options: HmacSchemeOptions): Scheme {
  const {
    name,
    algorithm,
    encoding,
    signaturePrefix,
    signatureSeparator,
    signedContent,
    secretEncoding,
    signatureHeader: sigHeader,
    timestampHeader: tsHeader,
    idHeader,
  } = resolveHmacSchemeOptions(options);

  // Split the template once into literal text and placeholders.
  const pieces: string[] = [];
  let last = 0;
  for (const m of signedContent.matchAll(PLACEHOLDER)) {
    pieces.push(signedContent.slice(last, m.index), m[0]);
    last = m.index + m[0].length;
  }
  pieces.push(signedContent.slice(last));
  const uses = (p: string): number => pieces.filter((x) => x === p).length;
  if (uses('{body}') !== 1)
    throw invalidArgument('signedContent', 'a template with {body} exactly once', 'value');
  if (uses('{timestamp}') > 0 && tsHeader === undefined) {
    throw invalidArgument('timestampHeader', 'set when signedContent uses {timestamp}', 'value');
  }
  if (tsHeader !== undefined && uses('{timestamp}') === 0) {
    throw invalidArgument(
      'signedContent',
      'a template using {timestamp} when timestampHeader is set',
      'value',
    );
  }
  if (uses('{id}') > 0 && idHeader === undefined) {
    throw invalidArgument('idHeader', 'set when signedContent uses {id}', 'value');
  }
  // The signed content must split one way only: a sender's signature for (id, body) must not
  // also fit another (id', body'), which would be a new replay key for a changed message. So two
  // variable parts are never adjacent; a timestamp (digits) never touches a digit; and an id
  // may not hold the character right after or right before it (nor `.`, as in Standard Webhooks).
  const ambiguous = () =>
    invalidArgument(
      'signedContent',
      'a template with text (not starting or ending with a digit next to {timestamp}) between any two of {id}, {timestamp}, {body}',
      'value',
    );
  let idForbidden = '';
  for (let i = 1; i < pieces.length; i += 2) {
    const before = pieces[i - 1] as string;
    const after = pieces[i + 1] as string;
    if (i > 1 && before === '') throw ambiguous();
    if (pieces[i] === '{timestamp}' && (/[0-9]$/.test(before) || /^[0-9]/.test(after)))
      throw ambiguous();
    if (pieces[i] === '{id}') {
      for (const c of [before.slice(-1), after.slice(0, 1)]) {
        if (c !== '' && c !== '.' && !idForbidden.includes(c)) idForbidden += c;
      }
    }
  }
  const idRule = messageIdRule(idForbidden);
  // One rule for the verifier (parse) and the signer (createSigner calls scheme.isValidId).
  const isValidId = (id: string): boolean => isMessageId(id, idForbidden);
  const idSigned = uses('{id}') > 0;
  const commaJoined = signatureSeparator?.includes(',') === true;
  const headerNames = [sigHeader, ...(tsHeader ? [tsHeader] : []), ...(idHeader ? [idHeader] : [])];

  return defineScheme({
    name,
    algorithm,
    encoding,
    textSecrets: secretEncoding === 'utf8',
    idSigned,
    timestampSigned: tsHeader !== undefined,
    maxSignatures: signatureSeparator === undefined ? 1 : 8,
    requiresUrl: false,
    headerNames,
    idRule: describeMessageId(idForbidden),
    isValidId,

    decodeSecret(secret: string): KeyMaterial {
      if (secretEncoding === 'utf8') {
        if (secret === '') throw secretMalformed(name, 'it is empty');
        return { kind: 'hmac', bytes: utf8Bytes(secret) };
      }
      const text =
        secretEncoding === 'whsec' && secret.startsWith('whsec_') ? secret.slice(6) : secret;
      const bytes = secretEncoding === 'hex' ? decodeHex(text) : decodeBase64(text);
      if (bytes === undefined || bytes.length === 0) {
        throw secretMalformed(name, `it is not ${secretEncoding === 'hex' ? 'hex' : 'base64'}`);
      }
      return { kind: 'hmac', bytes };
    },

    parse(read: HeaderReader, limit: number): ParsedHeaders {
      const header = requireHeader(read, sigHeader);
      const timestamp = tsHeader === undefined ? undefined : requireHeader(read, tsHeader);
      if (timestamp !== undefined) parseTimestamp(tsHeader as string, timestamp);
      const id = idHeader === undefined ? undefined : read(idHeader);
      if (idSigned) {
        // Signed, so it is the replay key: it must not be able to re-split the content.
        if (id === undefined || id === '') requireHeader(read, idHeader as string);
        else if (!isValidId(id)) throw malformed(idHeader as string, idRule);
      }
      const items = signatureSeparator === undefined ? [header] : header.split(signatureSeparator);
      if (items.length > limit) throw malformed(sigHeader, 'lists too many signatures');
      const signatures: SignatureCandidate[] = [];
      for (const raw of items) {
        const item = raw.trim();
        if (!item.startsWith(signaturePrefix) || item.length === signaturePrefix.length) {
          throw malformed(
            sigHeader,
            signaturePrefix ? `does not start with "${signaturePrefix}"` : 'is empty',
          );
        }
        const value = item.slice(signaturePrefix.length);
        // Signatures are hex or base64: a comma is two headers joined with ", " (Node,
        // Headers.append), unless the scheme itself separates signatures with commas.
        if (!commaJoined && value.includes(','))
          throw malformed(sigHeader, 'was sent more than once');
        signatures.push({ kind: 'hmac', value });
      }
      return { id, timestamp, signatures };
    },

    content(meta, body) {
      const parts: Part[] = [];
      let text = '';
      for (const piece of pieces) {
        if (piece === '{body}') {
          if (text) parts.push(text);
          parts.push(body);
          text = '';
        } else if (piece === '{timestamp}') text += meta.timestamp ?? '';
        else if (piece === '{id}') text += meta.id ?? '';
        else text += piece;
      }
      if (text) parts.push(text);
      return parts;
    },

    format(meta, signatures) {
      const headers: Record<string, string> = {
        [sigHeader]: signatures
          .map((s) => signaturePrefix + s.value)
          .join(signatureSeparator ?? ''),
      };
      if (tsHeader !== undefined) headers[tsHeader] = meta.timestamp ?? '';
      if (idHeader !== undefined && meta.id !== undefined) headers[idHeader] = meta.id;
      return headers;
    },
  });
}
