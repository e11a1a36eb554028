import type { Encoding, HmacAlgorithm } from '../../types.ts';
import { concat, utf8Bytes } from '../encoding.ts';
import { type CryptoBackend, type Part, PKCS8_ED25519, SPKI_ED25519 } from './CryptoBackend.ts';

interface Hmac {
  update(data: Part): Hmac;
  digest(encoding: Encoding): string;
}
interface KeyInput {
  key: Uint8Array;
  format: 'der';
  type: 'spki' | 'pkcs8';
}
/** The slice of `node:crypto` used here (typed locally so the package needs no `@types/node`). */
interface NodeCrypto {
  createSecretKey(key: Uint8Array): unknown;
  createHmac(algorithm: string, key: unknown): Hmac;
  createPublicKey(input: KeyInput): unknown;
  createPrivateKey(input: KeyInput): unknown;
  createHash(algorithm: string): Hmac;
  verify(algorithm: null, data: Uint8Array, key: unknown, signature: Uint8Array): boolean;
  sign(algorithm: null, data: Uint8Array, key: unknown): Uint8Array;
}

function loadNodeCrypto(): NodeCrypto | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process;
  return process?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
}

function joined(parts: readonly Part[]): Uint8Array {
  if (parts.length === 1 && typeof parts[0] !== 'string') return parts[0] as Uint8Array;
  return concat(parts.map((p) => (typeof p === 'string' ? utf8Bytes(p) : p)));
}

let cached: CryptoBackend | null | undefined;

/**
 * The `node:crypto` backend (Node, Deno, Bun), found without a static import so this module also
 * loads where `node:crypto` does not exist; `undefined` there. HMAC keys are `KeyObject`s made
 * once per secret: on Node 24 `createHmac` with a raw key buffer is several times slower.
 */
export function nodeBackend(): CryptoBackend | undefined {
  if (cached !== undefined) return cached ?? undefined;
  const c = loadNodeCrypto();
  if (c === undefined) {
    cached = null;
    return undefined;
  }
  cached = {
    name: 'node',
    hmacKey: (bytes) => c.createSecretKey(bytes),
    hmac(key, algorithm: HmacAlgorithm, parts, encoding) {
      const h = c.createHmac(algorithm, key);
      for (const part of parts) h.update(part);
      return h.digest(encoding);
    },
    ed25519PublicKey: (raw) =>
      c.createPublicKey({ key: concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' }),
    ed25519PrivateKey: (seed) =>
      c.createPrivateKey({ key: concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' }),
    ed25519Verify: (key, parts, signature) => c.verify(null, joined(parts), key, signature),
    ed25519Sign: (key, parts) => new Uint8Array(c.sign(null, joined(parts), key)),
    sha256(parts) {
      const h = c.createHash('sha256');
      for (const part of parts) h.update(part);
      return h.digest('base64url');
    },
  };
  return cached;
}
