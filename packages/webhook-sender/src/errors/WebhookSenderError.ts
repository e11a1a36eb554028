import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/**
 * The stable codes a {@link WebhookSenderError} carries, and the codes a failed delivery attempt
 * is recorded with (`DeliveryAttempt.errorCode`). Match on these, never on messages.
 */
export type WebhookSenderErrorCode =
  /** `enqueue`: the payload is over `maxPayloadBytes`. Nothing was written. */
  | 'ERR_SENDER_PAYLOAD_TOO_LARGE'
  /** `enqueue`: the payload cipher's `seal` failed. Nothing was written; the transaction is usable. */
  | 'ERR_SENDER_PAYLOAD_SEAL_FAILED'
  /** `resend`/`recover`/endpoint calls: no such message or endpoint. */
  | 'ERR_SENDER_NOT_FOUND'
  /** A query failed (connection lost, statement timeout, missing migration). */
  | 'ERR_SENDER_DATABASE'
  /** The sender was stopped; `start()` again to deliver. */
  | 'ERR_SENDER_STOPPED'
  /** Delivery: the receiver answered a status that is not 2xx (3xx included: never followed). */
  | 'ERR_SENDER_HTTP_STATUS'
  /** Delivery: the receiver answered a redirect; redirects are not followed. */
  | 'ERR_SENDER_REDIRECT'
  /** Delivery: `410 Gone`; the endpoint is disabled at once. */
  | 'ERR_SENDER_ENDPOINT_GONE'
  /** Delivery: no response within `requestTimeoutMs`. */
  | 'ERR_SENDER_TIMEOUT'
  /** Delivery: connection refused, reset, DNS failure, TLS failure. */
  | 'ERR_SENDER_NETWORK'
  /** Delivery: egress policy refused the URL (private, loopback or metadata address; scheme). */
  | 'ERR_SENDER_REFUSED'
  /** Delivery: the stored payload no longer opens (its key was shredded, or it was tampered with). */
  | 'ERR_SENDER_PAYLOAD_UNREADABLE'
  /** Delivery: the endpoint's signing secret could not be read from the secrets cache. */
  | 'ERR_SENDER_SECRET_UNAVAILABLE'
  /**
   * Delivery: opening the payload or signing took so long that the request could no longer end
   * within the lease (`leaseMs - requestTimeoutMs`); nothing was sent, the delivery is retried.
   */
  | 'ERR_SENDER_PREPARE_TIMEOUT'
  /** Delivery: the per-endpoint circuit breaker is open; the attempt was not made. */
  | 'ERR_SENDER_BREAKER_OPEN';

const STATUS: Record<WebhookSenderErrorCode, number> = {
  ERR_SENDER_PAYLOAD_TOO_LARGE: 413,
  ERR_SENDER_PAYLOAD_SEAL_FAILED: 500,
  ERR_SENDER_NOT_FOUND: 404,
  ERR_SENDER_DATABASE: 503,
  ERR_SENDER_STOPPED: 503,
  ERR_SENDER_HTTP_STATUS: 502,
  ERR_SENDER_REDIRECT: 502,
  ERR_SENDER_ENDPOINT_GONE: 502,
  ERR_SENDER_TIMEOUT: 504,
  ERR_SENDER_NETWORK: 502,
  ERR_SENDER_REFUSED: 502,
  ERR_SENDER_PAYLOAD_UNREADABLE: 500,
  ERR_SENDER_SECRET_UNAVAILABLE: 500,
  ERR_SENDER_PREPARE_TIMEOUT: 504,
  ERR_SENDER_BREAKER_OPEN: 503,
};

/**
 * Every failure of `@portcullis/webhook-sender`: a stable `code`, a suggested `status`, a message
 * safe to show (never a payload, URL query or secret). Misuse (a wrong option, a bad schema name)
 * is a `TypeError` with a Node-style code instead.
 *
 * @example
 * ```ts
 * import { WebhookSenderError } from '@portcullis/webhook-sender';
 * const error = new WebhookSenderError('ERR_SENDER_NOT_FOUND', 'No such message.');
 * error.status; // 404
 * ```
 */
export class WebhookSenderError extends PortcullisError {
  declare readonly code: WebhookSenderErrorCode;
  override name = 'WebhookSenderError';

  constructor(code: WebhookSenderErrorCode, message: string, options: PortcullisErrorOptions = {}) {
    super(code, message, { status: STATUS[code], ...options });
  }
}

/**
 * Whether `value` is a {@link WebhookSenderError} (by brand and code, so duplicate installs
 * match), optionally with the given code.
 *
 * @example
 * ```ts
 * import { isWebhookSenderError } from '@portcullis/webhook-sender';
 * try {
 *   throw new Error('not ours');
 * } catch (error) {
 *   isWebhookSenderError(error, 'ERR_SENDER_PAYLOAD_TOO_LARGE'); // false
 * }
 * ```
 */
export function isWebhookSenderError(
  value: unknown,
  code?: WebhookSenderErrorCode,
): value is WebhookSenderError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_SENDER_')
  );
}
