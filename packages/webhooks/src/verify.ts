// `@portcullis/webhooks/verify`: the verify-only entry point. Loads the verifier, the Standard
// Webhooks scheme and the Fetch `Request` reader, and nothing else: no signer, no explain, no
// third-party code. Provider schemes come from `@portcullis/webhooks/schemes`.
export type { Clock, Store, Telemetry } from '@portcullis/core';
export {
  isWebhookError,
  WebhookError,
  type WebhookErrorCode,
  type WebhookErrorOptions,
} from './errors/WebhookError.ts';
export {
  type RawRequest,
  type ReadBodyOptions,
  type ReadRequestOptions,
  readRequest,
} from './http/readRequest.ts';
export { DEFAULTS, type VerifierOptions, type WebhookDefaults } from './options.ts';
export type { Scheme } from './schemes/Scheme.ts';
export { standard } from './schemes/standard.ts';
export type {
  CryptoChoice,
  HeadersInput,
  LabelledSecret,
  MatchedSecret,
  RawBody,
  SecretEntry,
  SecretInput,
  SecretResolver,
  SecretsOption,
} from './types.ts';
export {
  createVerifier,
  type VerifiedWebhook,
  type Verifier,
  type VerifyInput,
} from './verifier/createVerifier.ts';
