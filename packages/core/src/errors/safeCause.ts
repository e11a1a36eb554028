/** The longest service message kept in a cause. */
const MAX_MESSAGE = 300;

/** What a scrubbed cause keeps of a vendor SDK's error. */
export interface SafeCauseFields {
  name: string;
  status: number | undefined;
  requestId?: string | undefined;
  /** The service's error code, where it has one besides the name (Azure `SecretNotFound`). */
  serviceCode?: string | undefined;
  /** Values sent in the failed request; removed from the message. */
  sensitive?: readonly string[] | undefined;
}

/** An error that holds only what is safe to log of a vendor SDK's error. */
export interface SafeCause extends Error {
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  readonly serviceCode: string | undefined;
}

function scrub(text: string, sensitive: readonly string[] | undefined): string {
  let out = text;
  for (const value of sensitive ?? []) {
    if (value.length > 0) out = out.split(value).join('[REDACTED]');
  }
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

/**
 * A new `Error` with the vendor error's name, status, request id and its message with any sent
 * value removed; no request, response, headers, body or nested cause of the original. The stack
 * is this module's, not the SDK's (whose frames are not secret but whose message could be).
 * Provider packages put it as the `cause` of their typed errors, so `util.inspect` of the error
 * shows what an operator needs and nothing the request carried.
 *
 * @example
 * ```ts
 * import { safeCause } from '@portcullis/core';
 *
 * const sdkError = Object.assign(new Error('bad value s3cr3t'), { $response: { body: 's3cr3t' } });
 * const cause = safeCause(sdkError, { name: 'ValidationException', status: 400, sensitive: ['s3cr3t'] });
 * cause.message; // 'bad value [REDACTED]'; no $response
 * ```
 */
export function safeCause(original: unknown, fields: SafeCauseFields): SafeCause {
  const raw =
    typeof original === 'object' && original !== null
      ? (original as { message?: unknown }).message
      : undefined;
  const message = scrub(typeof raw === 'string' ? raw : '', fields.sensitive);
  const cause = new Error(message) as Error & {
    statusCode: number | undefined;
    requestId: string | undefined;
    serviceCode: string | undefined;
  };
  cause.name = fields.name;
  cause.statusCode = fields.status;
  cause.requestId = fields.requestId;
  cause.serviceCode = fields.serviceCode;
  cause.stack = `${fields.name}: ${message}`;
  return cause;
}
