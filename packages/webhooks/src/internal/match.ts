import { timingSafeEqual } from '@portcullis/core';
import type { CryptoBackend, Part } from './crypto/CryptoBackend.ts';
import { decodeBase64 } from './encoding.ts';
import type { SchemeSpec as Scheme, SignatureCandidate } from './scheme.ts';
import type { PreparedKey } from './secrets.ts';

/** A key and the signature it verified. */
export interface Match {
  key: PreparedKey;
  signature: SignatureCandidate;
}

/** 64 bytes in padded standard base64: the one spelling of an Ed25519 signature we accept. */
const CANONICAL_ED25519 = /^[A-Za-z0-9+/]{86}==$/;

function ed25519Bytes(candidate: SignatureCandidate): Uint8Array | undefined {
  if (!CANONICAL_ED25519.test(candidate.value)) return undefined;
  const bytes = decodeBase64(candidate.value);
  return bytes !== undefined && bytes.length === 64 ? bytes : undefined;
}

/**
 * Finds the first key (in configured order) that verifies one of the candidate signatures over
 * `parts`. Each key's MAC is computed once and compared in constant time against every HMAC
 * candidate. Synchronous on the node backend (no promise per message), async on Web Crypto.
 */
export function findMatch(
  backend: CryptoBackend,
  scheme: Scheme,
  keys: readonly PreparedKey[],
  parts: readonly Part[],
  candidates: readonly SignatureCandidate[],
): Match | undefined | Promise<Match | undefined> {
  if (backend.name !== 'node') return findMatchAsync(backend, scheme, keys, parts, candidates);
  for (const key of keys) {
    if (key.kind === 'hmac') {
      const mac = backend.hmac(key.handle, scheme.algorithm, parts, scheme.encoding) as string;
      for (const c of candidates)
        if (c.kind === 'hmac' && timingSafeEqual(mac, c.value)) return { key, signature: c };
    } else if (key.kind === 'ed25519-public') {
      for (const c of candidates) {
        const sig = c.kind === 'ed25519' ? ed25519Bytes(c) : undefined;
        if (sig !== undefined && backend.ed25519Verify(key.handle, parts, sig) === true)
          return { key, signature: c };
      }
    }
  }
  return undefined;
}

async function findMatchAsync(
  backend: CryptoBackend,
  scheme: Scheme,
  keys: readonly PreparedKey[],
  parts: readonly Part[],
  candidates: readonly SignatureCandidate[],
): Promise<Match | undefined> {
  for (const key of keys) {
    if (key.kind === 'hmac') {
      if (!candidates.some((c) => c.kind === 'hmac')) continue;
      const mac = await backend.hmac(key.handle, scheme.algorithm, parts, scheme.encoding);
      for (const c of candidates)
        if (c.kind === 'hmac' && timingSafeEqual(mac, c.value)) return { key, signature: c };
    } else if (key.kind === 'ed25519-public') {
      for (const c of candidates) {
        const sig = c.kind === 'ed25519' ? ed25519Bytes(c) : undefined;
        if (sig !== undefined && (await backend.ed25519Verify(key.handle, parts, sig)))
          return { key, signature: c };
      }
    }
  }
  return undefined;
}
