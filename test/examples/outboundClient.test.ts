// examples/outbound-client, run for real: the example's scaffolding (oidc-provider and the SaaS
// API on 127.0.0.1) and its client, with both client authentications; many calls cost one token
// request, and the API refuses a forged token. Then main.ts, run as a program like `pnpm start`.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createInvoicesClient } from '../../examples/outbound-client/src/client.ts';
import {
  type AuthorizationServer,
  startAuthorizationServer,
} from '../../examples/outbound-client/src/scaffolding/authorizationServer.ts';
import {
  type InvoicesApi,
  startInvoicesApi,
} from '../../examples/outbound-client/src/scaffolding/invoicesApi.ts';

const RESOURCE = 'https://invoices.saas.test';
let as: AuthorizationServer;
let api: InvoicesApi;

beforeAll(async () => {
  as = await startAuthorizationServer(RESOURCE);
  api = await startInvoicesApi({ issuer: as.issuer, resource: RESOURCE });
});
afterAll(async () => {
  await Promise.all([api?.close(), as?.close()]);
});

for (const method of ['client_secret_basic', 'private_key_jwt'] as const) {
  it(`${method}: 60 calls (50 concurrent) cost one token request, and every call is authorised`, async () => {
    const credentials = method === 'client_secret_basic' ? as.secretClient : as.keyClient;
    const client = createInvoicesClient({
      issuer: as.issuer,
      apiUrl: api.url,
      resource: RESOURCE,
      credentials,
      allowInsecureHttp: true,
    });
    const tokensBefore = as.tokenRequests();
    const servedBefore = api.served();
    try {
      const results = await Promise.all(Array.from({ length: 50 }, () => client.listInvoices()));
      for (let i = 0; i < 10; i++) results.push(await client.listInvoices());
      expect(results).toHaveLength(60);
      for (const invoices of results) {
        expect(invoices).toEqual([{ id: 'in_1', amount: 4200, for: credentials.clientId }]);
      }
      expect(as.tokenRequests() - tokensBefore).toBe(1);
      expect(api.served() - servedBefore).toBe(60);
    } finally {
      client.close();
    }
  });
}

it('the SaaS API refuses a missing token and a forged one (right claims, wrong key) with 401', async () => {
  const missing = await fetch(`${api.url}/invoices`);
  expect(missing.status).toBe(401);
  expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);

  // Every claim the real server would write, signed with a key the issuer never published.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forged = await new SignJWT({ client_id: as.secretClient.clientId, scope: 'invoices:read' })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: 'as-1' })
    .setIssuer(as.issuer)
    .setAudience(RESOURCE)
    .setSubject(as.secretClient.clientId)
    .setIssuedAt()
    .setExpirationTime('5m')
    .setJti('forged-1')
    .sign(privateKey);
  const servedBefore = api.served();
  const refused = await fetch(`${api.url}/invoices`, {
    headers: { authorization: `Bearer ${forged}` },
  });
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  const body = await refused.text();
  expect(JSON.parse(body)).toMatchObject({ code: 'ERR_OAUTH_TOKEN_INVALID', status: 401 });
  expect(body).not.toContain(forged);
  expect(api.served()).toBe(servedBefore);
});

it('a client with a wrong secret gets no token and no data', async () => {
  const client = createInvoicesClient({
    issuer: as.issuer,
    apiUrl: api.url,
    resource: RESOURCE,
    credentials: { clientId: as.secretClient.clientId, secret: 'not-the-secret' },
    allowInsecureHttp: true,
  });
  const servedBefore = api.served();
  try {
    await expect(client.listInvoices()).rejects.toMatchObject({
      code: 'ERR_OAUTH_CLIENT_REJECTED',
    });
    expect(api.served()).toBe(servedBefore);
  } finally {
    client.close();
  }
});

it('src/main.ts runs as a program and reports one token request per client', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@portcullis/source', 'src/main.ts'],
    {
      cwd: new URL('../../examples/outbound-client/', import.meta.url),
      timeout: 20_000,
    },
  );
  expect(stdout).toContain('client_secret_basic: 100 API calls answered, 1 token request(s)');
  expect(stdout).toContain('private_key_jwt: 100 API calls answered, 1 token request(s)');
  expect(stdout).toMatch(/a forged token: 401 Bearer error="invalid_token"/);
  expect(`${stdout}${stderr}`).not.toMatch(/NOTICE|WARNING|Warning/);
});
