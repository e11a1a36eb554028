export type { Clock, Store, Telemetry } from '@portcullis/core';
export {
  isWebhookError,
  WebhookError,
  type WebhookErrorCode,
  type WebhookErrorOptions,
} from './errors/WebhookError.ts';
export { type Diagnosis, explain, type FailedCheck } from './explain/explain.ts';
export {
  type IncomingMessageLike,
  type ReadIncomingMessageOptions,
  readIncomingMessage,
} from './http/readIncomingMessage.ts';
export {
  type RawRequest,
  type ReadBodyOptions,
  type ReadRequestOptions,
  readRequest,
} from './http/readRequest.ts';
export { generateId } from './keys/generateId.ts';
export { generateKeyPair, type WebhookKeyPair } from './keys/generateKeyPair.ts';
export { type GenerateSecretOptions, generateSecret } from './keys/generateSecret.ts';
export {
  DEFAULTS,
  type ExplainOptions,
  type HmacSchemeOptions,
  type SignerOptions,
  type VerifierOptions,
  type WebhookDefaults,
} from './options.ts';
export { defineHmacScheme } from './schemes/defineHmacScheme.ts';
export type { Scheme } from './schemes/Scheme.ts';
export { type BuiltInSchemes, schemes } from './schemes/schemes.ts';
export { createSigner, type Signer, type SignInput } from './signer/createSigner.ts';
export type {
  CryptoChoice,
  Encoding,
  HeadersInput,
  HmacAlgorithm,
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
