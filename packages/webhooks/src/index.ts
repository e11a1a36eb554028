export {
  isWebhookError,
  WebhookError,
  type WebhookErrorCode,
  type WebhookErrorOptions,
} from './errors/WebhookError.ts';
export {
  type Diagnosis,
  type ExplainOptions,
  explain,
  type FailedCheck,
} from './explain/explain.ts';
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
export type { RawBody } from './internal/body.ts';
export type { HmacAlgorithm, Part } from './internal/crypto/CryptoBackend.ts';
export type { CryptoChoice } from './internal/crypto/selectBackend.ts';
export type { Encoding } from './internal/encoding.ts';
export type { HeaderReader, HeadersInput } from './internal/headers.ts';
export type {
  LabelledSecret,
  MatchedSecret,
  SecretEntry,
  SecretInput,
  SecretResolver,
  SecretsOption,
} from './internal/secrets.ts';
export { generateId } from './keys/generateId.ts';
export { generateKeyPair, type WebhookKeyPair } from './keys/generateKeyPair.ts';
export { type GenerateSecretOptions, generateSecret } from './keys/generateSecret.ts';
export { defineHmacScheme, type HmacSchemeOptions } from './schemes/defineHmacScheme.ts';
export type {
  KeyMaterial,
  ParsedHeaders,
  Scheme,
  SignatureCandidate,
  SignedMeta,
} from './schemes/Scheme.ts';
export { type BuiltInSchemes, schemes } from './schemes/schemes.ts';
export {
  createSigner,
  type Signer,
  type SignerOptions,
  type SignInput,
} from './signer/createSigner.ts';
export {
  createVerifier,
  type VerifiedWebhook,
  type Verifier,
  type VerifierOptions,
  type VerifyInput,
} from './verifier/createVerifier.ts';
