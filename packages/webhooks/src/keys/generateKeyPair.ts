import { Redacted } from '@portcullis/core';
import { encode } from '../internal/encoding.ts';

/** An Ed25519 key pair for Standard Webhooks `v1a` signatures. */
export interface WebhookKeyPair {
  /** `whsk_` + base64 of the 32-byte seed: the sender signs with it. Keep it secret. */
  secretKey: Redacted<string>;
  /** `whpk_` + base64 of the 32-byte public key: give it to receivers; it only verifies. */
  publicKey: string;
}

/**
 * Generates an Ed25519 key pair for asymmetric (`v1a`) Standard Webhooks signatures, for
 * receivers that must not hold a secret able to sign. Uses Web Crypto, so it runs everywhere.
 *
 * @example
 * ```ts
 * import { createSigner, createVerifier, generateKeyPair } from '@portcullis/webhooks';
 * const { secretKey, publicKey } = await generateKeyPair();
 * const signer = createSigner({ secrets: secretKey });
 * const verifier = createVerifier({ secrets: publicKey });
 * ```
 */
export async function generateKeyPair(): Promise<WebhookKeyPair> {
  const subtle = globalThis.crypto.subtle;
  const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  const seed = pkcs8.subarray(pkcs8.length - 32);
  const secretKey = new Redacted(`whsk_${encode(seed, 'base64')}`);
  pkcs8.fill(0);
  return { secretKey, publicKey: `whpk_${encode(raw, 'base64')}` };
}
