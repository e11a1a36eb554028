import type { Encoding, HmacAlgorithm } from '../../types.ts';
import { concat, encode, utf8Bytes } from '../encoding.ts';
import { type CryptoBackend, type Part, PKCS8_ED25519, SPKI_ED25519 } from './CryptoBackend.ts';

const HASH: Record<HmacAlgorithm, string> = {
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new TypeError('Web Crypto (crypto.subtle) is not available here.');
  return s;
}

function joined(parts: readonly Part[]): Uint8Array<ArrayBuffer> {
  if (parts.length === 1 && typeof parts[0] !== 'string') {
    const only = parts[0] as Uint8Array;
    if (only.buffer instanceof ArrayBuffer) return only as Uint8Array<ArrayBuffer>;
  }
  return concat(
    parts.map((p) => (typeof p === 'string' ? utf8Bytes(p) : p)),
  ) as Uint8Array<ArrayBuffer>;
}

function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes) as Uint8Array<ArrayBuffer>;
}

/**
 * The Web Crypto backend (`crypto.subtle`): Workers, Deno, Bun, browsers and Node. Keys are
 * imported once per secret and kept as promises.
 */
export const webBackend: CryptoBackend = {
  name: 'webcrypto',
  hmacKey: (bytes, algorithm) =>
    subtle().importKey('raw', copy(bytes), { name: 'HMAC', hash: HASH[algorithm] }, false, [
      'sign',
    ]),
  async hmac(key, _algorithm, parts, encoding: Encoding) {
    const mac = await subtle().sign('HMAC', (await key) as CryptoKey, joined(parts));
    return encode(new Uint8Array(mac), encoding);
  },
  ed25519PublicKey: (raw) =>
    subtle().importKey(
      'spki',
      concat([SPKI_ED25519, raw]) as Uint8Array<ArrayBuffer>,
      { name: 'Ed25519' },
      false,
      ['verify'],
    ),
  ed25519PrivateKey: (seed) =>
    subtle().importKey(
      'pkcs8',
      concat([PKCS8_ED25519, seed]) as Uint8Array<ArrayBuffer>,
      { name: 'Ed25519' },
      false,
      ['sign'],
    ),
  async ed25519Verify(key, parts, signature) {
    return subtle().verify('Ed25519', (await key) as CryptoKey, copy(signature), joined(parts));
  },
  async ed25519Sign(key, parts) {
    return new Uint8Array(await subtle().sign('Ed25519', (await key) as CryptoKey, joined(parts)));
  },
  async sha256(parts) {
    return encode(new Uint8Array(await subtle().digest('SHA-256', joined(parts))), 'base64url');
  },
};
