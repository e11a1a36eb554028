import { WebhookError } from '../errors/WebhookError.ts';
import type { Part } from './crypto/CryptoBackend.ts';

/**
 * Checks that `body` is raw and returns it as a signable part. A parsed object is refused with a
 * message that says why: a body parsed and serialised again rarely has the bytes that were signed.
 */
export function rawBody(body: unknown): Part {
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body))
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw new WebhookError(
    'ERR_WEBHOOK_BODY_NOT_RAW',
    body === undefined || body === null
      ? 'The webhook body is missing: pass the raw request body (a string, Uint8Array or Buffer).'
      : 'The webhook body must be the raw request bytes (a string, Uint8Array or Buffer), not a parsed ' +
          'object: JSON parsed and serialised again rarely has the bytes that were signed. Read the ' +
          'raw body (e.g. express.raw(), request.arrayBuffer()) and parse it after verifying.',
  );
}
