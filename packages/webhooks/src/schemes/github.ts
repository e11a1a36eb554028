import { defineHmacScheme } from './defineHmacScheme.ts';
import type { Scheme } from './Scheme.ts';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`; the secret is used as its
 * UTF-8 text. GitHub signs no timestamp, so the age of a delivery cannot be checked; replay
 * protection keys on the signature. `X-GitHub-Delivery` is read as the (unsigned) id.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.github, secrets: process.env.GITHUB_WEBHOOK_SECRET ?? '' });
 * ```
 */
export const github: Scheme = defineHmacScheme({
  name: 'github',
  signatureHeader: 'x-hub-signature-256',
  signaturePrefix: 'sha256=',
  idHeader: 'x-github-delivery',
});
