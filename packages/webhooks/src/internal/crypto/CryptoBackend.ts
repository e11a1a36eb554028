import type { Encoding, HmacAlgorithm } from '../../types.ts';

/** A piece of signed content: text (hashed as UTF-8) or bytes. */
export type Part = string | Uint8Array;

/**
 * The crypto a scheme needs, implemented once on `node:crypto` and once on Web Crypto. Key handles
 * are opaque (a `KeyObject`, or a promise of a `CryptoKey`) and made once per secret.
 */
export interface CryptoBackend {
  readonly name: 'node' | 'webcrypto';
  hmacKey(bytes: Uint8Array, algorithm: HmacAlgorithm): unknown;
  hmac(
    key: unknown,
    algorithm: HmacAlgorithm,
    parts: readonly Part[],
    encoding: Encoding,
  ): string | Promise<string>;
  ed25519PublicKey(raw: Uint8Array): unknown;
  ed25519PrivateKey(seed: Uint8Array): unknown;
  ed25519Verify(
    key: unknown,
    parts: readonly Part[],
    signature: Uint8Array,
  ): boolean | Promise<boolean>;
  ed25519Sign(key: unknown, parts: readonly Part[]): Uint8Array | Promise<Uint8Array>;
  /** SHA-256 of the parts, base64url: names signed content (replay keys) without keeping it. */
  sha256(parts: readonly Part[]): string | Promise<string>;
}

/** DER prefixes that wrap raw Ed25519 keys as SPKI (public) and PKCS#8 (private seed). */
export const SPKI_ED25519: Uint8Array = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);
export const PKCS8_ED25519: Uint8Array = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
