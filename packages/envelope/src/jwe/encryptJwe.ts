import { createHash } from 'node:crypto';
import { invalidArgument, reveal } from '@portcullis/core';
import {
  CompactEncrypt,
  type CompactJWEHeaderParameters,
  FlattenedEncrypt,
  type FlattenedJWE,
  importJWK,
  type JWK,
} from 'jose';
import { canonicalContext } from '../internal/context.ts';
import { checkContext } from '../options.ts';
import type { EnvelopeContext } from '../types.ts';
import type { JweEncryptionKey } from './keys.ts';

/** Options of {@link encryptJwe} and {@link encryptJweJson}. */
export interface EncryptJweOptions {
  /** A keyring key (`dir` + `A256GCM`) or a partner's public key (`ECDH-ES+A256KW` + `A256GCM`). Required. */
  key: JweEncryptionKey;
  /**
   * Bound in the protected header as `pcx` (base64url SHA-256 of the canonical context), checked
   * by `decryptJwe`. It is a digest, not a secret: guessable values can be confirmed from it.
   * Default: none.
   */
  context?: EnvelopeContext;
}

const encoder = new TextEncoder();

/** The `pcx` header value for a context. */
export function contextDigest(context: EnvelopeContext): string {
  return createHash('sha256').update(canonicalContext(context)).digest('base64url');
}

async function prepare(plaintext: Uint8Array | string, options: EncryptJweOptions) {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  const data = typeof plaintext === 'string' ? encoder.encode(plaintext) : plaintext;
  if (!(data instanceof Uint8Array)) throw invalidArgument('plaintext', 'a string or a Uint8Array');
  const header: Record<string, string> = { enc: 'A256GCM' };
  if (options.context !== undefined)
    header.pcx = contextDigest(checkContext(options.context, 'options.context'));
  const k = options.key as Partial<{ kid: string; key: unknown; publicKey: unknown }>;
  if (k?.publicKey !== undefined) {
    header.alg = 'ECDH-ES+A256KW';
    if (k.kid !== undefined) header.kid = k.kid;
    const isJwk = typeof k.publicKey === 'object' && k.publicKey !== null && 'kty' in k.publicKey;
    const key = isJwk ? await importJWK(k.publicKey as JWK, 'ECDH-ES+A256KW') : k.publicKey;
    return { data, header, key: key as Parameters<CompactEncrypt['encrypt']>[0] };
  }
  const raw = reveal(k?.key as Uint8Array);
  if (!(raw instanceof Uint8Array) || raw.length !== 32)
    throw invalidArgument('options.key.key', 'a 32-byte key', 'value');
  if (typeof k.kid !== 'string' || k.kid.length === 0)
    throw invalidArgument('options.key.kid', 'a non-empty string');
  header.alg = 'dir';
  header.kid = k.kid;
  return { data, header, key: raw };
}

/**
 * Encrypts `plaintext` as a compact JWE (`header.encryptedKey.iv.ciphertext.tag`): `dir` +
 * `A256GCM` with a keyring key, or `ECDH-ES+A256KW` + `A256GCM` with a partner's public key, so
 * the file is readable by them alone. Any JOSE library (`jose` included) decrypts it.
 *
 * @example
 * ```ts
 * import { generateKeyPair, compactDecrypt } from 'jose';
 * import { encryptJwe } from '@portcullis/envelope/jwe';
 * const partner = await generateKeyPair('ECDH-ES+A256KW', { crv: 'P-256' });
 * const jwe = await encryptJwe('{"rows":12}', { key: { kid: 'partner-2026', publicKey: partner.publicKey } });
 * const { plaintext } = await compactDecrypt(jwe, partner.privateKey); // what the partner runs
 * ```
 */
export async function encryptJwe(
  plaintext: Uint8Array | string,
  options: EncryptJweOptions,
): Promise<string> {
  const { data, header, key } = await prepare(plaintext, options);
  return new CompactEncrypt(data)
    .setProtectedHeader(header as unknown as CompactJWEHeaderParameters)
    .encrypt(key);
}

/**
 * {@link encryptJwe} in the flattened JSON serialisation (`{ protected, encrypted_key, iv,
 * ciphertext, tag }`), for JSON documents and files.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { encryptJweJson } from '@portcullis/envelope/jwe';
 * const jwe = await encryptJweJson('hello', { key: { kid: 'kek-2026', key: randomBytes(32) } });
 * typeof jwe.ciphertext; // 'string'
 * ```
 */
export async function encryptJweJson(
  plaintext: Uint8Array | string,
  options: EncryptJweOptions,
): Promise<FlattenedJWE> {
  const { data, header, key } = await prepare(plaintext, options);
  return new FlattenedEncrypt(data)
    .setProtectedHeader(header as unknown as CompactJWEHeaderParameters)
    .encrypt(key);
}
