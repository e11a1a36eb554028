import { defineHmacScheme } from './defineHmacScheme.ts';
import type { Scheme } from './Scheme.ts';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>`, keyed by the app's client
 * secret as UTF-8 text. No signed timestamp; `X-Shopify-Webhook-Id` is read as the (unsigned) id.
 *
 * @example
 * ```ts
 * import { createVerifier, schemes } from '@portcullis/webhooks';
 * const verifier = createVerifier({ scheme: schemes.shopify, secrets: process.env.SHOPIFY_CLIENT_SECRET ?? '' });
 * ```
 */
export const shopify: Scheme = defineHmacScheme({
  name: 'shopify',
  signatureHeader: 'x-shopify-hmac-sha256',
  encoding: 'base64',
  idHeader: 'x-shopify-webhook-id',
});
