import { resolveOptions, rules } from '@portcullis/core';
import { BoundaryError } from '../errors/BoundaryError.ts';
import { cachedResolver } from '../internal/cachedOptions.ts';
import { DEFAULTS } from '../options.ts';

/** Options of {@link sanitize | `sanitize.email`}. */
export interface EmailOptions {
  /** Longest address, in characters (RFC 5321 allows 254). Default: 254. */
  maxLength?: number;
}

// Local part: dot-separated runs of the common address characters (no quoted local parts, no
// comments, no IP literals). Domain: LDH labels of 1–63, at least two, TLD alphabetic or punycode.
const LOCAL = /^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TLD = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

const resolveEmail = cachedResolver<EmailOptions, number>(
  (input) =>
    resolveOptions<EmailOptions, typeof DEFAULTS.email>('options', input, DEFAULTS.email, {
      maxLength: rules.integer({ max: 254 }),
    }).maxLength,
);

function invalid(): BoundaryError {
  return new BoundaryError(
    'ERR_BOUNDARY_INVALID_EMAIL',
    'The value is not an accepted email address.',
  );
}

/**
 * Accepts an email address of a deliberately narrow, common form (ASCII `local@domain.tld`,
 * local part of letters, digits and `. _ % + -`) and returns it with the domain in lower case.
 * Quoted local parts, comments, IP-literal domains and non-ASCII are refused: a
 * `BoundaryError` `ERR_BOUNDARY_INVALID_EMAIL` (422) that does not repeat the value. Proves
 * the form only, not that the mailbox exists or belongs to the caller.
 *
 * @example
 * ```ts
 * import { sanitize } from '@portcullis/boundary';
 * sanitize.email('Ada.Lovelace+billing@Example.COM'); // 'Ada.Lovelace+billing@example.com'
 * ```
 */
export function checkEmail(value: string, options?: EmailOptions): string {
  const maxLength = resolveEmail(options);
  if (typeof value !== 'string' || value.length > maxLength) throw invalid();
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64) throw invalid();
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  const labels = domain.split('.');
  if (!LOCAL.test(local) || labels.length < 2 || domain.length > 253) throw invalid();
  for (const label of labels) if (!LABEL.test(label)) throw invalid();
  if (!TLD.test(labels[labels.length - 1] as string)) throw invalid();
  return `${local}@${domain}`;
}
