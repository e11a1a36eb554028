// A signing key, a token factory and a verifier on static keys: no sockets.
import { type AccessTokenError, createAccessTokenVerifier } from '@portcullis/oauth';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export const ISSUER = 'https://as.example.test';
export const AUD = 'https://api.example.test';
export const NOW = Date.parse('2026-01-01T00:00:00Z');
const nowSec = NOW / 1000;

export interface Keys {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKeys(kid = 'k1'): Promise<Keys> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  return {
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

export function sign(
  keys: Keys,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT({
    iss: ISSUER,
    aud: AUD,
    sub: 'svc',
    client_id: 'svc',
    jti: 'j1',
    iat: nowSec,
    exp: nowSec + 300,
    scope: 'orders:read orders:write',
    ...claims,
  })
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: keys.publicJwk.kid as string,
      ...header,
    })
    .sign(keys.privateKey);
}

type Options = Parameters<typeof createAccessTokenVerifier>[0];

export function staticVerifier(keys: Keys, extra: Partial<Options> = {}) {
  return createAccessTokenVerifier({
    issuer: ISSUER,
    audience: AUD,
    jwks: { keys: [keys.publicJwk] },
    clock: { now: () => NOW, sleep: async () => {}, schedule: () => () => {} },
    ...extra,
  });
}

export async function refusal(promise: Promise<unknown>): Promise<AccessTokenError> {
  return promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error as AccessTokenError,
  );
}
