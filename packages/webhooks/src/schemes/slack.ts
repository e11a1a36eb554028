import { defineHmacScheme } from './defineHmacScheme.ts';
import type { Scheme } from './Scheme.ts';

/**
 * Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">` with
 * `X-Slack-Request-Timestamp`, keyed by the signing secret as UTF-8 text.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.slack, secrets: process.env.SLACK_SIGNING_SECRET ?? '' });
 * ```
 */
export const slack: Scheme = defineHmacScheme({
  name: 'slack',
  signatureHeader: 'x-slack-signature',
  signaturePrefix: 'v0=',
  timestampHeader: 'x-slack-request-timestamp',
  signedContent: 'v0:{timestamp}:{body}',
});
