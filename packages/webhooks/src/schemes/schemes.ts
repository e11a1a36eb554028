import { github } from './github.ts';
import type { Scheme } from './Scheme.ts';
import { shopify } from './shopify.ts';
import { slack } from './slack.ts';
import { standard } from './standard.ts';
import { stripe } from './stripe.ts';
import { twilio } from './twilio.ts';

/** The built-in schemes by name. */
export interface BuiltInSchemes {
  /** Standard Webhooks and Svix (`v1` HMAC-SHA256, `v1a` Ed25519). The default. */
  readonly standard: Scheme;
  /** Stripe (`Stripe-Signature: t=…,v1=…`). */
  readonly stripe: Scheme;
  /** GitHub (`X-Hub-Signature-256: sha256=…`). */
  readonly github: Scheme;
  /** Shopify (`X-Shopify-Hmac-Sha256`). */
  readonly shopify: Scheme;
  /** Slack (`X-Slack-Signature: v0=…` over `v0:{timestamp}:{body}`). */
  readonly slack: Scheme;
  /** Twilio (`X-Twilio-Signature`, HMAC-SHA1 over URL and sorted form parameters). */
  readonly twilio: Scheme;
}

/**
 * The built-in signature schemes. Each drives both `createSigner` and `createVerifier`, so a test
 * can sign as any provider.
 *
 * @example
 * ```ts
 * import { createSigner, createVerifier, schemes } from '@portcullis/webhooks';
 * const signer = createSigner({ scheme: schemes.stripe, secrets: 'whsec_test' });
 * const verifier = createVerifier({ scheme: schemes.stripe, secrets: 'whsec_test' });
 * ```
 */
export const schemes: BuiltInSchemes = Object.freeze({
  standard,
  stripe,
  github,
  shopify,
  slack,
  twilio,
});
