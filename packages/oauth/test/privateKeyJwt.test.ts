import { ManualClock, redacted } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { fakeServer, ISSUER, TOKEN_ENDPOINT } from './fakeServer.ts';
import { T0 } from './fleet/helpers.ts';

describe('private_key_jwt', () => {
  it('signs a client assertion the server can verify with the public key', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1' };
    const clock = new ManualClock(T0);
    const server = fakeServer(clock);
    const provider = createTokenProvider({
      tokenEndpoint: TOKEN_ENDPOINT,
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: { method: 'private_key_jwt', privateKey: redacted(jwk) },
      fetch: server.fetch,
      clock,
    });
    await provider.getToken();
    const body = server.tokenRequests[0]!.body;
    expect(body.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const assertion = body.get('client_assertion')!;
    expect(decodeProtectedHeader(assertion)).toMatchObject({ alg: 'ES256', kid: 'k1' });
    const { payload } = await jwtVerify(assertion, publicKey, { issuer: 'svc', subject: 'svc' });
    expect(payload.aud).toBe(ISSUER);
  });

  it('reports a key that cannot be imported as ERR_OAUTH_CREDENTIAL_UNAVAILABLE', async () => {
    const server = fakeServer();
    const provider = createTokenProvider({
      issuer: ISSUER,
      clientId: 'svc',
      clientAuth: {
        method: 'private_key_jwt',
        privateKey: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----',
      },
      fetch: server.fetch,
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
    });
    expect(server.tokenRequests).toHaveLength(0);
  });
});
