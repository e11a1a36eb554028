import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK } from 'jose';
import type { Normalised } from '../token/parameters.ts';

/** Everything besides the parameters that changes the token. */
export interface TokenIdentity {
  issuer: string;
  tokenEndpoint: string;
  clientId: string;
  method: string;
  /** The private_key_jwt key id, when known. */
  keyId: string;
  /** mTLS: the client certificate's SHA-256 thumbprint (tokens are bound to it), else ''. */
  certificateThumbprint: string;
  dpopKeys: Promise<CryptoKeyPair> | undefined;
}

/**
 * The shared-store key of one cache entry: the prefix and a SHA-256 of everything that changes
 * the token, so the key names neither the client nor the scopes. The digest is a Redis Cluster
 * hash tag (`{…}`): the entry's token record (`…:token`) and refresh lock (`…:lock`) share one
 * slot, so they live on one primary and fail over together.
 */
export async function storeKey(prefix: string, id: TokenIdentity, n: Normalised): Promise<string> {
  let jkt = '';
  if (id.dpopKeys !== undefined) {
    jkt = await calculateJwkThumbprint(await exportJWK((await id.dpopKeys).publicKey));
  }
  const identity = JSON.stringify([
    id.issuer,
    id.tokenEndpoint,
    id.clientId,
    id.method,
    id.keyId,
    id.certificateThumbprint,
    n.scopes,
    n.resources,
    n.audience ?? '',
    n.extra,
    jkt,
  ]);
  return `${prefix}{${createHash('sha256').update(identity).digest('base64url')}}`;
}
