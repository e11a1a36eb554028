import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes a {@link WebhookError} carries. Match on these, never on messages. */
export type WebhookErrorCode =
  | 'ERR_WEBHOOK_HEADER_MISSING'
  | 'ERR_WEBHOOK_HEADER_MALFORMED'
  | 'ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE'
  | 'ERR_WEBHOOK_SIGNATURE_MISMATCH'
  | 'ERR_WEBHOOK_REPLAYED'
  | 'ERR_WEBHOOK_BODY_NOT_RAW'
  | 'ERR_WEBHOOK_BODY_TOO_LARGE'
  | 'ERR_WEBHOOK_SECRET_MALFORMED';

const STATUS: Record<WebhookErrorCode, number> = {
  ERR_WEBHOOK_HEADER_MISSING: 400,
  ERR_WEBHOOK_HEADER_MALFORMED: 400,
  ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE: 400,
  ERR_WEBHOOK_SIGNATURE_MISMATCH: 401,
  ERR_WEBHOOK_REPLAYED: 409,
  ERR_WEBHOOK_BODY_NOT_RAW: 500,
  ERR_WEBHOOK_BODY_TOO_LARGE: 413,
  ERR_WEBHOOK_SECRET_MALFORMED: 500,
};

/** Options of a {@link WebhookError} beyond the base ones. */
export interface WebhookErrorOptions extends PortcullisErrorOptions {
  /** The header (lower case) the failure is about, where there is one. */
  header?: string;
  /** For `ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE`: which bound the timestamp crossed. */
  bound?: 'past' | 'future';
}

/**
 * A webhook could not be signed or verified. `code` says which check failed (see
 * {@link WebhookErrorCode}); `status` is the HTTP status a receiver should answer with; `message`
 * is safe to return to the sender (it never holds a secret, an expected signature or the payload).
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_WEBHOOK_HEADER_MISSING` | 400 | a header the scheme needs is absent |
 * | `ERR_WEBHOOK_HEADER_MALFORMED` | 400 | a header is present but unreadable, too long, or lists too many signatures; `header: ':path'`: the request URL is unusable (a path that leaves `publicOrigin`, or Twilio's unsupported `bodySHA256` variant) |
 * | `ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE` | 400 | the signed timestamp is too old (`bound: 'past'`) or too far ahead (`bound: 'future'`) |
 * | `ERR_WEBHOOK_SIGNATURE_MISMATCH` | 401 | no signature matched any configured secret |
 * | `ERR_WEBHOOK_REPLAYED` | 409 | this message was already verified once within its window |
 * | `ERR_WEBHOOK_BODY_NOT_RAW` | 500 | the body given was not the raw bytes (e.g. a parsed JSON object) |
 * | `ERR_WEBHOOK_BODY_TOO_LARGE` | 413 | the body read from a request exceeded `maxBodyBytes` |
 * | `ERR_WEBHOOK_SECRET_MALFORMED` | 500 | a configured secret cannot be decoded for this scheme, or none is configured |
 *
 * @example
 * ```ts
 * import { createVerifier, isWebhookError } from '@portcullis/webhooks';
 * const verifier = createVerifier({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * try {
 *   await verifier.verify({ headers: {}, body: '{}' });
 * } catch (error) {
 *   if (isWebhookError(error)) console.log(error.status, error.code); // 400 ERR_WEBHOOK_HEADER_MISSING
 * }
 * ```
 */
export class WebhookError extends PortcullisError {
  declare readonly code: WebhookErrorCode;
  /** The header (lower case) the failure is about, where there is one. */
  readonly header: string | undefined;
  /** For `ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE`: which bound the timestamp crossed. */
  readonly bound: 'past' | 'future' | undefined;
  override name = 'WebhookError';

  constructor(code: WebhookErrorCode, message: string, options: WebhookErrorOptions = {}) {
    const { header, bound, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.header = header;
    this.bound = bound;
  }
}

/**
 * Whether `value` is a {@link WebhookError} (optionally with the given `code`). Matches by brand
 * and code prefix, so it still works when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { isWebhookError } from '@portcullis/webhooks';
 * isWebhookError(new Error('x')); // false
 * ```
 */
export function isWebhookError(value: unknown, code?: WebhookErrorCode): value is WebhookError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_WEBHOOK_')
  );
}
