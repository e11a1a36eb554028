import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes an {@link EnvelopeError} carries. Match on these, never on messages. */
export type EnvelopeErrorCode =
  | 'ERR_ENVELOPE_MALFORMED'
  | 'ERR_ENVELOPE_TAMPERED'
  | 'ERR_ENVELOPE_CONTEXT_MISMATCH'
  | 'ERR_ENVELOPE_WRONG_KEY'
  | 'ERR_ENVELOPE_KEK_UNAVAILABLE'
  | 'ERR_ENVELOPE_SHREDDED';

const STATUS: Record<EnvelopeErrorCode, number> = {
  ERR_ENVELOPE_MALFORMED: 400,
  ERR_ENVELOPE_TAMPERED: 400,
  ERR_ENVELOPE_CONTEXT_MISMATCH: 400,
  ERR_ENVELOPE_WRONG_KEY: 400,
  ERR_ENVELOPE_KEK_UNAVAILABLE: 503,
  ERR_ENVELOPE_SHREDDED: 410,
};

/** Options of an {@link EnvelopeError} beyond the base ones. */
export interface EnvelopeErrorOptions extends PortcullisErrorOptions {
  /** The id of the key-encryption key involved, where one is known (an id, never key material). */
  keyId?: string | undefined;
}

/**
 * Sealing or opening an envelope failed. `code` says why (see {@link EnvelopeErrorCode}); the
 * message never holds a plaintext, a key or a ciphertext, and neither does `cause` (errors of a
 * KMS client are reduced to their name before they are kept).
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_ENVELOPE_MALFORMED` | 400 | not an envelope of a known version, truncated, or a JWE that cannot be parsed |
 * | `ERR_ENVELOPE_TAMPERED` | 400 | the payload failed authentication: a byte was changed |
 * | `ERR_ENVELOPE_CONTEXT_MISMATCH` | 400 | the envelope was sealed for another context (row, tenant, purpose) |
 * | `ERR_ENVELOPE_WRONG_KEY` | 400 | the key it names is not one this envelope holds (retired, unknown kid) or the KMS refused it |
 * | `ERR_ENVELOPE_KEK_UNAVAILABLE` | 503 | the KMS did not answer and no cached key could be used (past `outageGraceMs`) |
 * | `ERR_ENVELOPE_SHREDDED` | 410 | the data subject's key was deleted: the data is gone for good |
 *
 * @example
 * ```ts
 * import { isEnvelopeError } from '@portcullis/envelope';
 * const error: unknown = new Error('x');
 * if (isEnvelopeError(error, 'ERR_ENVELOPE_SHREDDED')) console.log(error.status); // 410
 * ```
 */
export class EnvelopeError extends PortcullisError {
  declare readonly code: EnvelopeErrorCode;
  /** The id of the key-encryption key involved, where one is known. */
  readonly keyId: string | undefined;
  override name = 'EnvelopeError';

  constructor(code: EnvelopeErrorCode, message: string, options: EnvelopeErrorOptions = {}) {
    const { keyId, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.keyId = keyId;
  }
}

/**
 * Whether `value` is an {@link EnvelopeError} (optionally with the given `code`). Matches by brand
 * and code prefix, so it still works when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { isEnvelopeError } from '@portcullis/envelope';
 * isEnvelopeError(new Error('x')); // false
 * ```
 */
export function isEnvelopeError(value: unknown, code?: EnvelopeErrorCode): value is EnvelopeError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_ENVELOPE_')
  );
}

/**
 * A safe stand-in for an error from a KMS client or a store: its name and code only, so no
 * request, response body or key material rides along in `cause`.
 */
export function safeCause(error: unknown): Error {
  const name =
    typeof error === 'object' && error !== null
      ? String((error as { name?: unknown }).name ?? 'Error')
      : 'Error';
  const code =
    typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  // Both clipped to a short identifier charset: neither can carry a payload, a line break or a
  // wall of text into a log.
  const clip = (text: string) => text.replace(/[^\w.-]/g, '').slice(0, 64);
  const safeName = clip(name) || 'Error';
  const safeCode = typeof code === 'string' ? clip(code) : '';
  const safe = new Error(`${safeName}${safeCode ? ` (${safeCode})` : ''}`);
  safe.name = safeName;
  return safe;
}
