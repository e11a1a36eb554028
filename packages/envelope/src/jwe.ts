export { type DecryptJweOptions, decryptJwe } from './jwe/decryptJwe.ts';
export { type EncryptJweOptions, encryptJwe, encryptJweJson } from './jwe/encryptJwe.ts';
export type {
  JweDecryptionKey,
  JweDirectKey,
  JweEncryptionKey,
  JwePrivateKey,
  JwePublicKey,
} from './jwe/keys.ts';
