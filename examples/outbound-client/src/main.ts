// Runs the example: `node --conditions=@portcullis/source src/main.ts` (or `pnpm start`).
// Starts the scaffolding (an authorization server and the SaaS API on 127.0.0.1), then uses the
// client from client.ts the way a service would: many concurrent calls, one token request.
import { createInvoicesClient } from './client.ts';
import { startAuthorizationServer } from './scaffolding/authorizationServer.ts';
import { startInvoicesApi } from './scaffolding/invoicesApi.ts';

const RESOURCE = 'https://invoices.saas.example';

const as = await startAuthorizationServer(RESOURCE);
const api = await startInvoicesApi({ issuer: as.issuer, resource: RESOURCE });
try {
  for (const [how, credentials] of [
    ['client_secret_basic', as.secretClient],
    ['private_key_jwt', as.keyClient],
  ] as const) {
    const before = as.tokenRequests();
    const client = createInvoicesClient({
      issuer: as.issuer,
      apiUrl: api.url,
      resource: RESOURCE,
      credentials,
      allowInsecureHttp: true, // local scaffolding only
    });
    const results = await Promise.all(Array.from({ length: 100 }, () => client.listInvoices()));
    console.log(
      `${how}: ${results.length} API calls answered, ${as.tokenRequests() - before} token request(s)`,
    );
    client.close();
  }
  const forged = await fetch(`${api.url}/invoices`, {
    headers: { authorization: 'Bearer e30.e30.forged' },
  });
  console.log(`a forged token: ${forged.status} ${forged.headers.get('www-authenticate')}`);
} finally {
  await Promise.all([api.close(), as.close()]);
}
