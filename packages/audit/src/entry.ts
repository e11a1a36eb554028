import { AuditError } from './errors/AuditError.ts';

/** How an audited operation ended. */
export type AuditOutcome = 'success' | 'failure' | 'denied';

/**
 * One audited event of integration activity: who did what to which category of data, between
 * which systems, how many records, and how it ended. Never the payload, never a secret: the
 * entry is refused when a field looks like either.
 */
export interface AuditEntry {
  /** Who: a service account, an API key id, a partner id. */
  actor: string;
  /** What, as a dotted name: `'webhook.verify'`, `'customer.export'`, `'token.fetch'`. */
  action: string;
  /** How it ended. */
  outcome: AuditOutcome;
  /** The category of data touched, as a dotted name: `'pii.contact'`, `'payment.card'`. */
  category?: string;
  /** The system the data came from (`'stripe'`, `'crm'`). */
  source?: string;
  /** The system it went to. */
  target?: string;
  /** How many records. */
  count?: number;
  /** A request or correlation id. */
  requestId?: string;
  /** For failures: a stable error code such as `'ERR_WEBHOOK_REPLAYED'`. */
  reason?: string;
  /** Up to 16 low-cardinality facts (`{ route: '/v1/orders', status: 201 }`). */
  attributes?: Readonly<Record<string, string | number | boolean>>;
}

/** The fields in the order every line writes them (the order is part of what is signed). */
export const FIELDS = [
  'actor',
  'action',
  'outcome',
  'category',
  'source',
  'target',
  'count',
  'requestId',
  'reason',
  'attributes',
] as const;

const NAME = /^[A-Za-z0-9_.:@/-]{1,128}$/;
const DOTTED = /^[a-z0-9_]+(?:[.:-][a-z0-9_]+)*$/i;
const MAX_TEXT = 256;
const MAX_ATTRIBUTES = 16;
/** Attribute names that say "payload" or "secret". */
const SUSPECT_KEY =
  /pass|secret|token|api[-_]?key|private|auth|cookie|session|body|payload|content|ssn|card|cvv|iban/i;
/** Values that look like credentials or encoded payloads. */
const SUSPECT_VALUE_LIST = [
  /^ey[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./, // a JWT
  /\b[Bb][Ee][Aa][Rr][Ee][Rr]\s+\S{8,}/,
  /\b[Bb][Aa][Ss][Ii][Cc]\s+[A-Za-z0-9+/=]{8,}/,
  /whsec_|sk_(?:live|test)_|rk_(?:live|test)_|xox[abpr]-|gh[pousr]_[A-Za-z0-9]{20,}/,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
  /-----BEGIN [A-Z ]+-----/,
  /^[A-Za-z0-9+/_-]{40,}={0,2}$/, // long opaque base64: a key or an encoded body
  /^\s*[[{]/, // JSON: a payload
];
/** One alternation of the above: a single pass over each value. */
const SUSPECT_VALUE = new RegExp(SUSPECT_VALUE_LIST.map((r) => `(?:${r.source})`).join('|'));

function refuse(field: string, why: string): AuditError {
  return new AuditError('ERR_AUDIT_ENTRY_REFUSED', `Audit entry field "${field}" ${why}.`, {
    field,
  });
}

function text(field: string, value: unknown, pattern: RegExp | undefined): string {
  if (typeof value !== 'string' || value.length === 0)
    throw refuse(field, 'must be a non-empty string');
  if (value.length > MAX_TEXT)
    throw refuse(field, `is longer than ${MAX_TEXT} characters (payloads are not audited)`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/.test(value))
    throw refuse(field, 'holds control characters');
  if (pattern !== undefined && !pattern.test(value)) throw refuse(field, 'is not a plain name');
  if (SUSPECT_VALUE.test(value)) throw refuse(field, 'looks like a secret or a payload');
  return value;
}

/**
 * Checks an entry against the audit schema and returns a copy holding only known fields, in
 * the signed order. Throws `ERR_AUDIT_ENTRY_REFUSED` naming the field (never its value).
 */
export function checkEntry(entry: AuditEntry): Record<string, unknown> {
  if (typeof entry !== 'object' || entry === null) throw refuse('entry', 'must be an object');
  for (const key of Object.keys(entry)) {
    if (!(FIELDS as readonly string[]).includes(key))
      throw refuse(key, 'is not an audit field (payloads are not audited)');
  }
  const out: Record<string, unknown> = {
    actor: text('actor', entry.actor, NAME),
    action: text('action', entry.action, DOTTED),
  };
  if (entry.outcome !== 'success' && entry.outcome !== 'failure' && entry.outcome !== 'denied') {
    throw refuse('outcome', "must be 'success', 'failure' or 'denied'");
  }
  out.outcome = entry.outcome;
  if (entry.category !== undefined) out.category = text('category', entry.category, DOTTED);
  if (entry.source !== undefined) out.source = text('source', entry.source, NAME);
  if (entry.target !== undefined) out.target = text('target', entry.target, undefined);
  if (entry.count !== undefined) {
    if (!Number.isSafeInteger(entry.count) || entry.count < 0)
      throw refuse('count', 'must be a non-negative integer');
    out.count = entry.count;
  }
  if (entry.requestId !== undefined) out.requestId = text('requestId', entry.requestId, NAME);
  if (entry.reason !== undefined) out.reason = text('reason', entry.reason, NAME);
  if (entry.attributes !== undefined) {
    const attributes = entry.attributes;
    if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
      throw refuse('attributes', 'must be an object');
    }
    const keys = Object.keys(attributes);
    if (keys.length > MAX_ATTRIBUTES)
      throw refuse('attributes', `has more than ${MAX_ATTRIBUTES} keys`);
    const copy: Record<string, string | number | boolean> = {};
    for (const key of keys) {
      const field = `attributes.${key.slice(0, 32)}`;
      if (!NAME.test(key) || key.length > 64) throw refuse(field, 'is not a plain name');
      if (SUSPECT_KEY.test(key)) throw refuse(field, 'is named like a secret or a payload');
      const value = attributes[key];
      if (typeof value === 'string') copy[key] = text(field, value, undefined);
      else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))
        copy[key] = value;
      else throw refuse(field, 'must be a string, a finite number or a boolean');
    }
    out.attributes = copy;
  }
  return out;
}
