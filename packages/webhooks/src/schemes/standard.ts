import { WebhookError } from '../errors/WebhookError.ts';
import { decodeBase64 } from '../internal/encoding.ts';
import { type HeaderReader, malformed } from '../internal/headers.ts';
import { describeMessageId, isMessageId, messageIdRule } from '../internal/messageId.ts';
import {
  defineScheme,
  type KeyMaterial,
  type ParsedHeaders,
  type SignatureCandidate,
} from '../internal/scheme.ts';
import { secretMalformed } from '../internal/secretErrors.ts';
import type { Scheme } from './Scheme.ts';

/** A `webhook-*` header, or its `svix-*` twin (Svix sends the same scheme under those names). */
function pick(read: HeaderReader, name: string, svixName: string): string {
  const value = read(name);
  if (value !== undefined && value !== '') return value;
  const svix = read(svixName);
  if (svix !== undefined && svix !== '') return svix;
  throw new WebhookError('ERR_WEBHOOK_HEADER_MISSING', `The ${name} header is missing.`, {
    header: name,
  });
}

/** Which spelling of a header was read, for error messages. */
function nameOf(read: HeaderReader, suffix: string): string {
  const name = `webhook-${suffix}`;
  const value = read(name);
  return value !== undefined && value !== '' ? name : `svix-${suffix}`;
}

/** A key prefix in any case, left over after the one `whsec_` is taken off. */
const WRONG_PREFIX = /^wh(?:sec|sk|pk)_/i;

/** 1–12 ASCII digits. */
function digits(text: string): boolean {
  if (text.length > 12) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function decodeKey(body: string, what: string, lengthOk: (n: number) => boolean): Uint8Array {
  const bytes = decodeBase64(body);
  if (bytes === undefined) throw secretMalformed('standard', `the ${what} is not base64`);
  if (!lengthOk(bytes.length))
    throw secretMalformed('standard', `the ${what} has the wrong length`);
  return bytes;
}

/**
 * Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp` and `webhook-signature`
 * (`svix-*` accepted too), content `{id}.{timestamp}.{body}`.
 *
 * - `v1`: HMAC-SHA256, base64, secrets `whsec_<base64>` (the prefix is optional; at least 24 bytes).
 * - `v1a`: Ed25519. Verify with the public key `whpk_<base64 of 32 bytes>`; sign with the
 *   secret key `whsk_<base64 of the 32-byte seed>` (a 64-byte seed‖public key is accepted too).
 *
 * The id must be 1–256 visible ASCII characters without `.` (the spec asks for this so the
 * content cannot be re-split); a signature header holds space-separated `version,signature` items.
 *
 * @example
 * ```ts
 * import { createSigner, schemes } from '@portcullis/webhooks';
 * const signer = createSigner({ scheme: schemes.standard, secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * const headers = await signer.sign({ body: '{"type":"ping"}' });
 * ```
 */
export const standard: Scheme = defineScheme({
  name: 'standard',
  algorithm: 'sha256',
  encoding: 'base64',
  idSigned: true,
  timestampSigned: true,
  maxSignatures: 8,
  requiresUrl: false,
  headerNames: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
  idRule: describeMessageId(),
  textSecrets: false,

  isValidId(id: string): boolean {
    return isMessageId(id);
  },

  decodeSecret(secret: string): KeyMaterial {
    if (secret.startsWith('whpk_')) {
      return {
        kind: 'ed25519-public',
        bytes: decodeKey(secret.slice(5), 'public key', (n) => n === 32),
      };
    }
    if (secret.startsWith('whsk_')) {
      const bytes = decodeKey(secret.slice(5), 'secret key', (n) => n === 32 || n === 64);
      return { kind: 'ed25519-private', bytes: bytes.subarray(0, 32) };
    }
    const body = secret.startsWith('whsec_') ? secret.slice(6) : secret;
    // `WHSEC_…`, `whsec_whsec_…`: base64url letters, so they would decode to a wrong key.
    if (WRONG_PREFIX.test(body)) {
      throw secretMalformed('standard', 'the prefix must be "whsec_", once, in lower case');
    }
    return { kind: 'hmac', bytes: decodeKey(body, 'secret', (n) => n >= 24 && n <= 1024) };
  },

  parse(read: HeaderReader, limit: number): ParsedHeaders {
    const id = pick(read, 'webhook-id', 'svix-id');
    const timestamp = pick(read, 'webhook-timestamp', 'svix-timestamp');
    const header = pick(read, 'webhook-signature', 'svix-signature');
    if (!isMessageId(id)) throw malformed(nameOf(read, 'id'), messageIdRule());
    if (!digits(timestamp)) {
      throw malformed(nameOf(read, 'timestamp'), 'is not a Unix timestamp in seconds');
    }
    const signatures: SignatureCandidate[] = [];
    let count = 0;
    let start = 0;
    while (start <= header.length) {
      let end = header.indexOf(' ', start);
      if (end === -1) end = header.length;
      if (end > start) {
        if (++count > limit)
          throw malformed(nameOf(read, 'signature'), 'lists too many signatures');
        const comma = header.indexOf(',', start);
        if (comma <= start || comma >= end) {
          throw malformed(nameOf(read, 'signature'), 'has an item that is not "version,signature"');
        }
        // A second comma in one item: two headers joined with ", " (Node, Headers.append). The
        // grammar joins items with spaces only, so this is a duplicate header, not a list.
        const second = header.indexOf(',', comma + 1);
        if (second !== -1 && second < end) {
          throw malformed(nameOf(read, 'signature'), 'was sent more than once');
        }
        const version = comma - start;
        if (version === 2 && header.startsWith('v1', start)) {
          signatures.push({ kind: 'hmac', value: header.slice(comma + 1, end) });
        } else if (version === 3 && header.startsWith('v1a', start)) {
          signatures.push({ kind: 'ed25519', value: header.slice(comma + 1, end) });
        }
        // Other versions are skipped, so senders can add new ones without breaking receivers.
      }
      start = end + 1;
    }
    if (count === 0) throw malformed(nameOf(read, 'signature'), 'lists no signature');
    return { id, timestamp, signatures };
  },

  content(meta, body) {
    return [`${meta.id}.${meta.timestamp}.`, body];
  },

  format(meta, signatures) {
    return {
      'webhook-id': meta.id ?? '',
      'webhook-timestamp': meta.timestamp ?? '',
      'webhook-signature': signatures
        .map((s) => `${s.kind === 'hmac' ? 'v1' : 'v1a'},${s.value}`)
        .join(' '),
    };
  },
});
