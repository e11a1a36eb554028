import { WebhookError } from '../errors/WebhookError.ts';

/** `ERR_WEBHOOK_SECRET_MALFORMED` with a reason that never includes the secret. */
export function secretMalformed(scheme: string, reason: string, cause?: unknown): WebhookError {
  return new WebhookError(
    'ERR_WEBHOOK_SECRET_MALFORMED',
    `A configured ${scheme} secret is malformed: ${reason}.`,
    cause === undefined ? {} : { cause },
  );
}
