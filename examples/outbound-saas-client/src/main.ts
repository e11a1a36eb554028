// Runs the example: `node --conditions=@portcullis/source src/main.ts` (or `pnpm start`).
// Starts the scaffolding on 127.0.0.1 (an oidc-provider authorization server from
// examples/outbound-client, fake GitHub and Stripe APIs), then uses the SDK clients of clients.ts
// the way a service would, and shows what egress refuses.
import { redacted } from '@portcullis/core';
import { isEgressError } from '@portcullis/egress';
import { createTokenProvider } from '@portcullis/oauth';
import { createPipeline } from '@portcullis/resilience';
import { startAuthorizationServer } from '@portcullis-examples/outbound-client/scaffolding/authorizationServer';
import { createSaasClients } from './clients.ts';
import { startFakeGitHub, startFakeStripe } from './scaffolding/fakeSaas.ts';

const RESOURCE = 'https://api.github.example';
const STRIPE_KEY = 'sk_test_example_0123456789';

const as = await startAuthorizationServer(RESOURCE);
const [github, stripe] = await Promise.all([startFakeGitHub(), startFakeStripe(STRIPE_KEY)]);
const tokens = createTokenProvider({
  issuer: as.issuer,
  clientId: as.secretClient.clientId,
  clientAuth: { method: 'client_secret_basic', secret: redacted(as.secretClient.secret) },
  resource: RESOURCE,
  allowInsecureHttp: true, // local scaffolding only
});
let attempts = 0;
const pipeline = createPipeline();
const clients = createSaasClients({
  githubBaseUrl: github.url,
  githubTokens: tokens,
  stripeUrl: stripe.url,
  stripeKey: redacted(STRIPE_KEY),
  // ▶ the resilience pipeline plugs in here: @portcullis/resilience's standard policies (timeouts,
  // retry with backoff, breaker, bulkhead), counting each attempt it makes.
  resilience: {
    execute: (fn, options) =>
      pipeline.execute((attempt) => {
        attempts++;
        return fn(attempt);
      }, options),
  },
  loopback: true, // local scaffolding only
});
try {
  const before = as.tokenRequests();
  const lists = await Promise.all(
    Array.from({ length: 20 }, () =>
      clients.github.rest.issues.listForRepo({ owner: 'portcullis', repo: 'sdk' }),
    ),
  );
  console.log(
    `octokit: ${lists.length} calls, ${lists[0]?.data.length} issues each, ${as.tokenRequests() - before} token request(s)`,
  );
  const customer = await clients.stripe.customers.create({ email: 'ada@example.com' });
  console.log(`stripe: created ${customer.id} for ${customer.email}`);
  try {
    await clients.github.rest.repos.downloadTarballArchive({
      owner: 'portcullis',
      repo: 'sdk',
      ref: 'main',
    });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    console.log(
      `a redirect to the metadata address: ${isEgressError(cause) ? cause.code : String(error)}`,
    );
  }
  console.log(`resilience slot ran ${attempts} request(s)`);
} finally {
  await clients.close();
  await Promise.all([github.close(), stripe.close(), as.close()]);
}
