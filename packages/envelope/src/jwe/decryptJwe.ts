import { timingSafeEqual } from 'node:crypto';
import { invalidArgument, reveal } from '@portcullis/core';
import {
  type CompactJWEHeaderParameters,
  type CryptoKey,
  compactDecrypt,
  type FlattenedJWE,
  flattenedDecrypt,
  type GeneralJWE,
  generalDecrypt,
  importJWK,
  type JWEHeaderParameters,
  type JWK,
} from 'jose';
import { EnvelopeError, isEnvelopeError } from '../errors/EnvelopeError.ts';
import { checkContext } from '../options.ts';
import type { EnvelopeContext } from '../types.ts';
import { contextDigest } from './encryptJwe.ts';
import type { JweDecryptionKey } from './keys.ts';

/** Options of {@link decryptJwe}. */
export interface DecryptJweOptions {
  /** Keys to try, picked by the JWE's `kid` and `alg` (`KeyringKek#directKeys()` and/or private keys). Required. */
  keys: readonly JweDecryptionKey[];
  /** The context it was encrypted for (its `pcx` header must match). Default: none (a JWE with `pcx` is then refused). */
  context?: EnvelopeContext;
}

const ALGORITHMS = {
  keyManagementAlgorithms: ['dir', 'ECDH-ES+A256KW'],
  contentEncryptionAlgorithms: ['A256GCM'],
};

function mapJose(error: unknown): EnvelopeError {
  if (isEnvelopeError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWE_DECRYPTION_FAILED')
    return new EnvelopeError(
      'ERR_ENVELOPE_TAMPERED',
      'The JWE failed authentication: it was altered, or the key is not the one it was encrypted with.',
    );
  return new EnvelopeError(
    'ERR_ENVELOPE_MALFORMED',
    `The JWE is malformed or uses what this reader does not allow${typeof code === 'string' ? ` (${code})` : ''}.`,
  );
}

type Resolved = CryptoKey | Uint8Array;

async function pick(
  keys: readonly JweDecryptionKey[],
  header: JWEHeaderParameters | undefined,
): Promise<Resolved> {
  if (header === undefined)
    throw new EnvelopeError('ERR_ENVELOPE_MALFORMED', 'The JWE has no protected header.');
  const direct = header.alg === 'dir';
  const candidates = keys.filter((k) => ('privateKey' in k ? !direct : direct));
  const key =
    candidates.find((k) => k.kid === header.kid) ??
    (direct ? undefined : candidates.find((k) => k.kid === undefined || header.kid === undefined));
  if (key === undefined)
    throw new EnvelopeError('ERR_ENVELOPE_WRONG_KEY', 'No key matches the JWE (kid / alg).', {
      keyId: header.kid,
    });
  if ('privateKey' in key) {
    const p = key.privateKey;
    return (
      typeof p === 'object' && p !== null && 'kty' in p ? importJWK(p as JWK, 'ECDH-ES+A256KW') : p
    ) as Resolved;
  }
  return reveal(key.key);
}

/**
 * Decrypts a JWE (compact string, flattened or general JSON) written by {@link encryptJwe} or by
 * any JOSE library, allowing only `dir` / `ECDH-ES+A256KW` with `A256GCM`. Refusals are
 * `EnvelopeError`s: `ERR_ENVELOPE_MALFORMED` (truncated, re-ordered, unknown algorithm),
 * `ERR_ENVELOPE_TAMPERED`, `ERR_ENVELOPE_WRONG_KEY` (no key for its kid),
 * `ERR_ENVELOPE_CONTEXT_MISMATCH` (its `pcx` differs from `context`).
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { decryptJwe, encryptJwe } from '@portcullis/envelope/jwe';
 * const key = { kid: 'kek-2026', key: randomBytes(32) };
 * const jwe = await encryptJwe('hello', { key, context: { tenant: 'acme' } });
 * const plaintext = await decryptJwe(jwe, { keys: [key], context: { tenant: 'acme' } });
 * ```
 */
export async function decryptJwe(
  jwe: string | FlattenedJWE | GeneralJWE,
  options: DecryptJweOptions,
): Promise<Uint8Array> {
  if (typeof options !== 'object' || options === null || !Array.isArray(options.keys))
    throw invalidArgument('options.keys', 'an array of JWE keys');
  const expected =
    options.context === undefined
      ? undefined
      : contextDigest(checkContext(options.context, 'options.context'));
  let result: {
    plaintext: Uint8Array;
    protectedHeader?: JWEHeaderParameters | CompactJWEHeaderParameters | undefined;
  };
  try {
    const getKey = (header: JWEHeaderParameters | undefined): Promise<Resolved> =>
      pick(options.keys, header);
    if (typeof jwe === 'string') result = await compactDecrypt(jwe, getKey, ALGORITHMS);
    else if (
      typeof jwe === 'object' &&
      jwe !== null &&
      Array.isArray((jwe as GeneralJWE).recipients)
    )
      result = await generalDecrypt(jwe as GeneralJWE, getKey, ALGORITHMS);
    else result = await flattenedDecrypt(jwe as FlattenedJWE, getKey, ALGORITHMS);
  } catch (error) {
    throw mapJose(error);
  }
  const pcx = result.protectedHeader?.pcx;
  const bound = typeof pcx === 'string' ? pcx : undefined;
  const same =
    bound === expected ||
    (bound !== undefined &&
      expected !== undefined &&
      bound.length === expected.length &&
      timingSafeEqual(Buffer.from(bound), Buffer.from(expected)));
  if (!same)
    throw new EnvelopeError(
      'ERR_ENVELOPE_CONTEXT_MISMATCH',
      'The JWE was encrypted for another context.',
    );
  return result.plaintext;
}
