import { createHash, X509Certificate } from 'node:crypto';
import { boundedCall, type Clock, invalidArgument, type Redacted, reveal } from '@portcullis/core';
import { importJWK, importPKCS8, type JWK } from 'jose';
import * as client from 'openid-client';
import { OAuthError } from '../../errors/OAuthError.ts';
import type {
  CertificateInput,
  ClientAuthOption,
  PrivateKeyInput,
} from '../../token/TokenProviderOptions.ts';

type Resolvable<T> = T | Redacted<T> | (() => T | Redacted<T> | Promise<T | Redacted<T>>);

/** How long a secret or key resolver may take, on which clock. */
export interface ResolverBound {
  clock: Clock;
  timeoutMs: number;
}

/**
 * The credential, from a resolver bounded by `timeoutMs`: one that throws or does not settle in
 * time is `ERR_OAUTH_CREDENTIAL_UNAVAILABLE` (retried with backoff, like an outage). What a late
 * resolver returns is dropped.
 */
async function resolve<T>(input: Resolvable<T>, what: string, bound: ResolverBound): Promise<T> {
  if (typeof input !== 'function') return reveal(input as T | Redacted<T>);
  try {
    const value = await boundedCall(() => (input as () => unknown)(), {
      clock: bound.clock,
      timeoutMs: bound.timeoutMs,
      onTimeout: () =>
        new OAuthError(
          'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
          `The ${what} resolver did not answer within ${bound.timeoutMs} ms.`,
        ),
    });
    return reveal(value as T | Redacted<T>);
  } catch (cause) {
    if (cause instanceof OAuthError) throw cause;
    throw new OAuthError('ERR_OAUTH_CREDENTIAL_UNAVAILABLE', `The ${what} could not be resolved.`, {
      cause,
    });
  }
}

function defaultAlg(key: CryptoKey | JWK): string {
  const type = 'kty' in key ? key.kty : (key as CryptoKey).algorithm.name;
  if (type === 'EC' || type === 'ECDSA') return 'ES256';
  if (type === 'OKP' || type === 'Ed25519') return 'EdDSA';
  return 'RS256';
}

async function toPrivateKey(
  input: PrivateKeyInput,
  alg: string | undefined,
  kid: string | undefined,
): Promise<client.PrivateKey> {
  try {
    if (typeof input === 'string') {
      const key = await importPKCS8(input, alg ?? 'RS256');
      return kid === undefined ? { key } : { key, kid };
    }
    if (typeof (input as CryptoKey).algorithm === 'object' && 'type' in input) {
      return kid === undefined ? { key: input as CryptoKey } : { key: input as CryptoKey, kid };
    }
    const jwk = input as JWK;
    const key = (await importJWK(jwk, alg ?? jwk.alg ?? defaultAlg(jwk))) as CryptoKey;
    const keyId = kid ?? jwk.kid;
    return keyId === undefined ? { key } : { key, kid: keyId };
  } catch (cause) {
    throw new OAuthError(
      'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
      'The private key for private_key_jwt could not be imported.',
      { cause },
    );
  }
}

/** SHA-256 thumbprint (base64url) of a certificate's DER: RFC 8705's `x5t#S256`. */
export function certificateThumbprint(certificate: CertificateInput): string {
  if (typeof certificate !== 'string' && !(certificate instanceof Uint8Array)) {
    throw invalidArgument('clientAuth.certificate', 'a PEM string or DER bytes');
  }
  let raw: Buffer;
  try {
    raw = new X509Certificate(certificate).raw;
  } catch {
    throw invalidArgument('clientAuth.certificate', 'an X.509 certificate (PEM or DER)', 'value');
  }
  return createHash('sha256').update(raw).digest('base64url');
}

/** The auth method's name and an openid-client `ClientAuth` that resolves the credential per request. */
export function toClientAuth(
  option: ClientAuthOption,
  bound: ResolverBound,
): {
  method: string;
  auth: client.ClientAuth;
  mtls: boolean;
  /** mTLS: the thumbprint of the given client certificate, or '' (none given / not mTLS). */
  certificateThumbprint: string;
} {
  if (typeof option !== 'object' || option === null) {
    throw invalidArgument('clientAuth', 'an object with a `method`');
  }
  switch (option.method) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      const { secret } = option;
      if (secret === undefined)
        throw invalidArgument('clientAuth.secret', 'a string, Redacted or function');
      const make =
        option.method === 'client_secret_basic'
          ? client.ClientSecretBasic
          : client.ClientSecretPost;
      const auth = (async (as, c, body, headers) => {
        const value = await resolve<string>(secret, 'client secret', bound);
        if (typeof value !== 'string' || value === '') {
          throw new OAuthError('ERR_OAUTH_CREDENTIAL_UNAVAILABLE', 'The client secret is empty.');
        }
        await make(value)(as, c, body, headers);
      }) as client.ClientAuth;
      return { method: option.method, auth, mtls: false, certificateThumbprint: '' };
    }
    case 'private_key_jwt': {
      const { privateKey, alg, kid } = option;
      if (privateKey === undefined || privateKey === null) {
        throw invalidArgument('clientAuth.privateKey', 'a CryptoKey, JWK, PEM string or function');
      }
      // A key given directly is imported once; a resolver is called for each request (rotation).
      let cached: Promise<client.PrivateKey> | undefined;
      const load = async (): Promise<client.PrivateKey> =>
        toPrivateKey(await resolve<PrivateKeyInput>(privateKey, 'private key', bound), alg, kid);
      const auth = (async (as, c, body, headers) => {
        let key: client.PrivateKey;
        if (typeof privateKey === 'function') key = await load();
        else {
          cached ??= load();
          key = await cached.catch((error: unknown) => {
            cached = undefined;
            throw error;
          });
        }
        await client.PrivateKeyJwt(key)(as, c, body, headers);
      }) as client.ClientAuth;
      return { method: option.method, auth, mtls: false, certificateThumbprint: '' };
    }
    case 'tls_client_auth':
    case 'self_signed_tls_client_auth': {
      const { certificate } = option;
      return {
        method: option.method,
        auth: client.TlsClientAuth(),
        mtls: true,
        certificateThumbprint: certificate === undefined ? '' : certificateThumbprint(certificate),
      };
    }
    default:
      throw invalidArgument(
        'clientAuth.method',
        "'client_secret_basic', 'client_secret_post', 'private_key_jwt', 'tls_client_auth' or 'self_signed_tls_client_auth'",
        'value',
      );
  }
}
