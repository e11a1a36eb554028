import { utf8Bytes } from '../internal/encoding.ts';
import {
  type HeaderReader,
  malformed,
  parseTimestamp,
  requireHeader,
} from '../internal/headers.ts';
import { describeMessageId, isMessageId } from '../internal/messageId.ts';
import {
  defineScheme,
  type KeyMaterial,
  type ParsedHeaders,
  type SignatureCandidate,
} from '../internal/scheme.ts';
import { secretMalformed } from '../internal/secretErrors.ts';
import type { Scheme } from './Scheme.ts';

const HEADER = 'stripe-signature';

/**
 * Stripe: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`, each `v1` an HMAC-SHA256 of
 * `{t}.{body}` keyed by the endpoint secret (`whsec_…`) as its UTF-8 text. Other items (`v0`,
 * future versions) are skipped. Unlike Stripe's library, a timestamp ahead of the clock is held
 * to `futureToleranceSec`, and bodies that are not UTF-8 verify.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.stripe, secrets: process.env.STRIPE_WEBHOOK_SECRET ?? '' });
 * ```
 */
export const stripe: Scheme = defineScheme({
  name: 'stripe',
  algorithm: 'sha256',
  encoding: 'hex',
  idSigned: false,
  timestampSigned: true,
  maxSignatures: 8,
  requiresUrl: false,
  headerNames: [HEADER],
  idRule: describeMessageId(),
  textSecrets: true,
  isValidId: (id) => isMessageId(id),

  decodeSecret(secret: string): KeyMaterial {
    if (secret === '') throw secretMalformed('stripe', 'it is empty');
    return { kind: 'hmac', bytes: utf8Bytes(secret) };
  },

  parse(read: HeaderReader, limit: number): ParsedHeaders {
    const header = requireHeader(read, HEADER);
    let timestamp: string | undefined;
    const signatures: SignatureCandidate[] = [];
    const items = header.split(',');
    if (items.length > limit + 1) throw malformed(HEADER, 'lists too many signatures');
    for (const item of items) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw malformed(HEADER, 'has an item that is not "key=value"');
      const key = item.slice(0, eq).trim();
      const value = item.slice(eq + 1).trim();
      if (key === 't') {
        if (timestamp !== undefined) throw malformed(HEADER, 'has more than one timestamp');
        timestamp = value;
      } else if (key === 'v1') signatures.push({ kind: 'hmac', value });
    }
    if (timestamp === undefined) throw malformed(HEADER, 'has no timestamp (t=)');
    parseTimestamp(HEADER, timestamp);
    return { id: undefined, timestamp, signatures };
  },

  content(meta, body) {
    return [`${meta.timestamp}.`, body];
  },

  format(meta, signatures) {
    return {
      [HEADER]: [`t=${meta.timestamp}`, ...signatures.map((s) => `v1=${s.value}`)].join(','),
    };
  },
});
