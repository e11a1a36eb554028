// `@portcullis/webhooks/schemes`: the signature schemes alone, to pair with the verify-only entry.
export type { HmacSchemeOptions } from './options.ts';
export { defineHmacScheme } from './schemes/defineHmacScheme.ts';
export { github } from './schemes/github.ts';
export type { Scheme } from './schemes/Scheme.ts';
export { type BuiltInSchemes, schemes } from './schemes/schemes.ts';
export { shopify } from './schemes/shopify.ts';
export { slack } from './schemes/slack.ts';
export { standard } from './schemes/standard.ts';
export { stripe } from './schemes/stripe.ts';
export { twilio } from './schemes/twilio.ts';
export type { Encoding, HmacAlgorithm } from './types.ts';
