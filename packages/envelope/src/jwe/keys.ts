import type { Redacted } from '@portcullis/core';
import type { CryptoKey, JWK, KeyObject } from 'jose';

/** A shared 32-byte key for `dir` + `A256GCM` (a keyring's key: `KeyringKek#directKeys()`). */
export interface JweDirectKey {
  /** Written as the JWE `kid`; decrypting picks the key by it. */
  kid: string;
  key: Uint8Array | Redacted<Uint8Array>;
}

/** A partner's published public key (P-256/P-384/P-521 or X25519) for `ECDH-ES+A256KW`. */
export interface JwePublicKey {
  /** Written as the JWE `kid` when given (the partner's key id). Default: none. */
  kid?: string;
  publicKey: CryptoKey | KeyObject | JWK;
}

/** Your private key for JWEs a partner encrypted to your public key (`ECDH-ES+A256KW`). */
export interface JwePrivateKey {
  /** Matched against the JWE `kid` when both have one. Default: none (matches any). */
  kid?: string;
  privateKey: CryptoKey | KeyObject | JWK;
}

/** A key to encrypt a JWE with. */
export type JweEncryptionKey = JweDirectKey | JwePublicKey;
/** A key to decrypt a JWE with. */
export type JweDecryptionKey = JweDirectKey | JwePrivateKey;
