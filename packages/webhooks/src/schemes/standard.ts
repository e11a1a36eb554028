import { decodeBase64 } from '../internal/encoding.ts';
import {
  type HeaderReader,
  malformed,
  parseTimestamp,
  requireHeader,
} from '../internal/headers.ts';
import { secretMalformed } from '../internal/secretErrors.ts';
import type { KeyMaterial, ParsedHeaders, Scheme, SignatureCandidate } from './Scheme.ts';

const ID_SAFE = /^[\x21-\x2d\x2f-\x7e]{1,256}$/;

function pick(read: HeaderReader, name: string): [string, string | undefined] {
  const value = read(`webhook-${name}`);
  if (value !== undefined) return [`webhook-${name}`, value];
  // Svix sends the same scheme under `svix-` names; when both are absent, report the standard one.
  const svix = read(`svix-${name}`);
  return svix === undefined ? [`webhook-${name}`, undefined] : [`svix-${name}`, svix];
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
export const standard: Scheme = {
  name: 'standard',
  algorithm: 'sha256',
  encoding: 'base64',
  idSigned: true,
  timestampSigned: true,
  maxSignatures: 16,
  requiresUrl: false,
  headerNames: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],

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
    return { kind: 'hmac', bytes: decodeKey(body, 'secret', (n) => n >= 24 && n <= 1024) };
  },

  parse(read: HeaderReader, limit: number): ParsedHeaders {
    const [idName, idValue] = pick(read, 'id');
    const [tsName, tsValue] = pick(read, 'timestamp');
    const [sigName, sigValue] = pick(read, 'signature');
    const id = requireHeader(() => idValue, idName);
    const timestamp = requireHeader(() => tsValue, tsName);
    const header = requireHeader(() => sigValue, sigName);
    if (!ID_SAFE.test(id))
      throw malformed(idName, 'must be 1–256 visible ASCII characters without "."');
    parseTimestamp(tsName, timestamp);
    const signatures: SignatureCandidate[] = [];
    let count = 0;
    for (const item of header.split(' ')) {
      if (item === '') continue;
      if (++count > limit) throw malformed(sigName, 'lists too many signatures');
      const comma = item.indexOf(',');
      if (comma <= 0) throw malformed(sigName, 'has an item that is not "version,signature"');
      const version = item.slice(0, comma);
      const value = item.slice(comma + 1);
      if (version === 'v1') signatures.push({ kind: 'hmac', value });
      else if (version === 'v1a') signatures.push({ kind: 'ed25519', value });
      // Other versions are skipped, so senders can add new ones without breaking receivers.
    }
    if (count === 0) throw malformed(sigName, 'lists no signature');
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
};
