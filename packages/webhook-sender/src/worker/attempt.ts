import { boundedCall, isPortcullisError, parseRetryAfter } from '@portcullis/core';
import type { Signer } from '@portcullis/webhooks';
import type { WebhookSenderErrorCode } from '../errors/WebhookSenderError.ts';
import { WebhookSenderError } from '../errors/WebhookSenderError.ts';
import type { ResolvedOptions } from '../internal/options.ts';

/** A claimed delivery, with what the attempt needs. */
export interface ClaimedDelivery {
  messageId: string;
  endpointId: string;
  /** This attempt's number (1 for the first). */
  attempt: number;
  /** The claim token: completions are guarded by it. */
  lease: string;
  eventType: string;
  payload: Uint8Array;
  sealed: boolean;
  subject: string | undefined;
  url: string;
  secretRef: string;
  schedule: readonly number[] | undefined;
  ratePerSec: number | undefined;
  maxConcurrency: number | undefined;
}

/** How one attempt ended. */
export interface AttemptResult {
  ok: boolean;
  status: number | undefined;
  latencyMs: number;
  errorCode: WebhookSenderErrorCode | undefined;
  /** 429, 502, 504 or a timeout: back off at least `throttleBackoffMs`. */
  throttled: boolean;
  retryAfterMs: number | undefined;
  /** No later attempt can succeed (the payload no longer opens). */
  final: boolean;
}

/** The cipher context of a message: the same at seal and open. */
export function cipherContext(
  messageId: string,
  eventType: string,
  subject: string | undefined,
): Readonly<Record<string, string>> {
  return Object.freeze({
    purpose: 'webhook-outbox',
    messageId,
    eventType,
    ...(subject === undefined ? {} : { subject }),
  });
}

/** Reads at most `max` bytes of a response body, then cancels the rest. The bytes are dropped. */
async function drain(response: Response, max: number): Promise<void> {
  const reader = response.body?.getReader();
  if (reader === undefined) return;
  let read = 0;
  try {
    while (read <= max) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function failure(
  code: WebhookSenderErrorCode,
  latencyMs: number,
  extra: Partial<AttemptResult> = {},
): AttemptResult {
  return {
    ok: false,
    status: undefined,
    latencyMs,
    errorCode: code,
    throttled: false,
    retryAfterMs: undefined,
    final: false,
    ...extra,
  };
}

function fetchFailureCode(error: unknown): WebhookSenderErrorCode {
  if (isPortcullisError(error)) {
    if (error.code === 'ERR_SENDER_TIMEOUT' || error.code === 'ERR_EGRESS_TIMEOUT')
      return 'ERR_SENDER_TIMEOUT';
    if (
      error.code === 'ERR_EGRESS_NETWORK' ||
      error.code === 'ERR_EGRESS_DNS_FAILED' ||
      error.code === 'ERR_EGRESS_TLS_FAILED'
    )
      return 'ERR_SENDER_NETWORK';
    if (error.code.startsWith('ERR_EGRESS_')) return 'ERR_SENDER_REFUSED';
  }
  return 'ERR_SENDER_NETWORK';
}

const THROTTLED = new Set([429, 502, 504]);

/**
 * One delivery attempt: open the payload, sign it, POST it (redirects not followed) within
 * `requestTimeoutMs`, read a bounded part of the response and drop it. Never throws.
 */
export async function attemptDelivery(
  row: ClaimedDelivery,
  signer: Pick<Signer, 'sign'>,
  fetch: (input: string, init: RequestInit) => Promise<Response>,
  o: ResolvedOptions,
): Promise<AttemptResult> {
  const startedAt = o.clock.now();
  const elapsed = (): number => Math.max(0, Math.round(o.clock.now() - startedAt));
  // Opening and signing (a KMS, a secrets provider) may hang: they get what is left of the lease
  // once the request's own time is kept, so a request never starts that could outlive the lease.
  const sendBy = startedAt + o.leaseMs - o.requestTimeoutMs;
  const prepare = <T>(work: () => Promise<T>): Promise<T> =>
    boundedCall(() => work(), {
      timeoutMs: Math.max(1, sendBy - o.clock.now()),
      clock: o.clock,
      onTimeout: () =>
        new WebhookSenderError(
          'ERR_SENDER_PREPARE_TIMEOUT',
          'Preparing the request took too long.',
        ),
    });
  const timedOut = (error: unknown): boolean =>
    isPortcullisError(error, 'ERR_SENDER_PREPARE_TIMEOUT');
  let body: Uint8Array = row.payload;
  if (row.sealed) {
    const cipher = o.payloadCipher;
    if (cipher === undefined)
      return failure('ERR_SENDER_PAYLOAD_UNREADABLE', elapsed(), { final: true });
    try {
      body = await prepare(() =>
        cipher.open(row.payload, cipherContext(row.messageId, row.eventType, row.subject)),
      );
    } catch (error) {
      if (timedOut(error)) return failure('ERR_SENDER_PREPARE_TIMEOUT', elapsed());
      return failure('ERR_SENDER_PAYLOAD_UNREADABLE', elapsed(), { final: true });
    }
  }
  let headers: Record<string, string>;
  try {
    headers = await prepare(() => signer.sign({ id: row.messageId, body, url: row.url }));
  } catch (error) {
    if (timedOut(error)) return failure('ERR_SENDER_PREPARE_TIMEOUT', elapsed());
    return failure('ERR_SENDER_SECRET_UNAVAILABLE', elapsed());
  }
  try {
    const status = await boundedCall(
      async (signal) => {
        const response = await fetch(row.url, {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': 'portcullis-webhook-sender',
          },
          body: body as Uint8Array<ArrayBuffer>,
          redirect: 'manual',
          signal,
        });
        const retryAfter = response.headers.get('retry-after');
        await drain(response, o.maxResponseBytes);
        return { status: response.status, retryAfter };
      },
      {
        timeoutMs: o.requestTimeoutMs,
        clock: o.clock,
        onTimeout: () =>
          new WebhookSenderError('ERR_SENDER_TIMEOUT', 'The receiver did not answer in time.'),
      },
    );
    const latencyMs = elapsed();
    const code = status.status;
    if (code >= 200 && code < 300) {
      return {
        ok: true,
        status: code,
        latencyMs,
        errorCode: undefined,
        throttled: false,
        retryAfterMs: undefined,
        final: false,
      };
    }
    const retryAfterMs = parseRetryAfter(status.retryAfter, o.clock.now(), o.maxRetryAfterMs);
    const errorCode: WebhookSenderErrorCode =
      code === 410
        ? 'ERR_SENDER_ENDPOINT_GONE'
        : code >= 300 && code < 400
          ? 'ERR_SENDER_REDIRECT'
          : 'ERR_SENDER_HTTP_STATUS';
    return failure(errorCode, latencyMs, {
      status: code,
      throttled: THROTTLED.has(code),
      retryAfterMs,
    });
  } catch (error) {
    const errorCode = fetchFailureCode(error);
    return failure(errorCode, elapsed(), { throttled: errorCode === 'ERR_SENDER_TIMEOUT' });
  }
}
