export { aes256Gcm } from './aes256Gcm.ts';
export { createEnvelope } from './createEnvelope.ts';
export {
  EnvelopeError,
  type EnvelopeErrorCode,
  type EnvelopeErrorOptions,
  isEnvelopeError,
} from './errors/EnvelopeError.ts';
export { decryptFields } from './fields/decryptFields.ts';
export {
  defineEncryptedFields,
  type EncryptedFieldSpec,
  type EncryptedFields,
  type EncryptedFieldsOptions,
} from './fields/defineEncryptedFields.ts';
export { type EncryptedRecord, encryptFields } from './fields/encryptFields.ts';
export {
  KeyringKek,
  type KeyringKekOptions,
  type KeyringKey,
  type KeyringSecretSource,
} from './kek/KeyringKek.ts';
export { DEFAULTS, type EnvelopeOptions } from './options.ts';
export { MemorySubjectKeyStore, type SubjectKeyStore } from './subjects/SubjectKeyStore.ts';
export type {
  Envelope,
  EnvelopeContext,
  EnvelopeHeader,
  GeneratedDataKey,
  Kek,
  KekCallOptions,
  PayloadCipher,
} from './types.ts';
