import { redacted } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { MTLS_TOKEN_ENDPOINT, TOKEN_ENDPOINT } from '../fakeServer.ts';
import { setup } from './setup.ts';

describe('createTokenProvider: client authentication', () => {
  it('client_secret_basic sends HTTP Basic, resolving the secret per request', async () => {
    let calls = 0;
    const { server, provider } = setup({
      clientAuth: {
        method: 'client_secret_basic',
        secret: async () => {
          calls++;
          return redacted('from-resolver');
        },
      },
    });
    await provider.getToken();
    const header = server.tokenRequests[0]?.headers.get('authorization') ?? '';
    // RFC 6749 §2.3.1: both parts are form-urlencoded before Base64.
    const decoded = Buffer.from(header.replace(/^Basic /, ''), 'base64').toString();
    expect(decodeURIComponent(decoded)).toBe('svc:from-resolver');
    expect(calls).toBe(1);
  });

  it('client_secret_post sends the secret in the body', async () => {
    const { server, provider } = setup({
      clientAuth: { method: 'client_secret_post', secret: 'p0st' },
    });
    await provider.getToken();
    expect(server.tokenRequests[0]?.body.get('client_secret')).toBe('p0st');
    expect(server.tokenRequests[0]?.body.get('grant_type')).toBe('client_credentials');
  });

  it('reports a failing secret resolver as ERR_OAUTH_CREDENTIAL_UNAVAILABLE', async () => {
    const { provider } = setup({
      clientAuth: {
        method: 'client_secret_basic',
        secret: () => {
          throw new Error('vault down');
        },
      },
    });
    await expect(provider.getToken()).rejects.toMatchObject({
      code: 'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
    });
  });

  it('tls_client_auth uses the mTLS endpoint alias and sends only client_id (the certificate is the credential)', async () => {
    const { server, provider } = setup({ clientAuth: { method: 'tls_client_auth' } });
    await provider.getToken();
    const seen = server.tokenRequests[0]!;
    expect(seen.url).toBe(MTLS_TOKEN_ENDPOINT);
    expect(seen.body.get('client_id')).toBe('svc');
    expect(seen.body.get('client_secret')).toBeNull();
    expect(seen.headers.get('authorization')).toBeNull();
  });

  it('works with an explicit token endpoint (no discovery)', async () => {
    const { server, provider } = setup({ issuer: undefined, tokenEndpoint: TOKEN_ENDPOINT });
    await provider.getToken();
    expect(server.discoveryRequests).toBe(0);
    expect(server.tokenRequests).toHaveLength(1);
  });
});
