// examples/outbound-saas-client, run for real: @octokit/rest and the stripe SDK with egress as
// their fetch, a real oauth token provider (packages/oauth against oidc-provider from
// test/harness/oidc.ts) feeding GitHub's Authorization, fake GitHub and Stripe APIs on loopback.
// The resilience slot is filled by a tiny object implementing execute. Then main.ts as a program.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { redacted } from '@portcullis/core';
import type { EgressAuditEvent, ResiliencePolicy } from '@portcullis/egress';
import { createTokenProvider } from '@portcullis/oauth';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSaasClients } from '../../examples/outbound-saas-client/src/clients.ts';
import {
  type FakeApi,
  startFakeGitHub,
  startFakeStripe,
} from '../../examples/outbound-saas-client/src/scaffolding/fakeSaas.ts';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';

const STRIPE_KEY = 'sk_test_harness_0123456789';
let oidc: OidcPeer;
let github: FakeApi;
let stripe: FakeApi;

beforeAll(async () => {
  [oidc, github, stripe] = await Promise.all([
    startOidc(),
    startFakeGitHub(),
    startFakeStripe(STRIPE_KEY),
  ]);
});
afterAll(async () => {
  await Promise.all([github?.close(), stripe?.close(), oidc?.stop()]);
});

function tokens() {
  return createTokenProvider({
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.basic.clientId,
    clientAuth: { method: 'client_secret_basic', secret: redacted(OIDC_CLIENTS.basic.secret) },
    scope: 'orders:read',
    resource: OIDC_RESOURCE,
    allowInsecureHttp: true,
  });
}

it('octokit and stripe through egress: oauth token for GitHub, the key for Stripe, every request through the resilience slot', async () => {
  const runs: string[] = [];
  const resilience: ResiliencePolicy = {
    async execute(fn, { signal }) {
      runs.push('run');
      return fn({ signal: signal ?? new AbortController().signal });
    },
  };
  const events: EgressAuditEvent[] = [];
  const clients = createSaasClients({
    githubBaseUrl: github.url,
    githubTokens: tokens(),
    stripeUrl: stripe.url,
    stripeKey: redacted(STRIPE_KEY),
    resilience,
    audit: (e) => events.push(e),
    loopback: true,
  });
  oidc.resetCounts();
  try {
    const lists = await Promise.all(
      Array.from({ length: 10 }, () =>
        clients.github.rest.issues.listForRepo({ owner: 'portcullis', repo: 'sdk' }),
      ),
    );
    for (const list of lists) expect(list.data.map((i) => i.number)).toEqual([7, 8]);
    expect(oidc.tokenRequests).toBe(1);
    expect(github.lastAuthorization()).toMatch(/^Bearer ey[\w-]+\.[\w-]+\.[\w-]+$/);

    const customer = await clients.stripe.customers.create({ email: 'ada@example.com' });
    expect(customer).toMatchObject({ id: 'cus_1', email: 'ada@example.com' });
    expect(stripe.lastAuthorization()).toBe(`Bearer ${STRIPE_KEY}`);
    const again = await clients.stripe.customers.retrieve('cus_1');
    expect(again.id).toBe('cus_1');

    expect(runs).toHaveLength(12);
    expect(events.filter((e) => e.outcome === 'ok')).toHaveLength(12);
    expect(new Set(events.map((e) => e.origin))).toEqual(new Set([github.url, stripe.url]));
  } finally {
    await clients.close();
  }
});

it('a GitHub redirect to the metadata address is refused inside the SDK call', async () => {
  const clients = createSaasClients({
    githubBaseUrl: github.url,
    githubTokens: tokens(),
    stripeUrl: stripe.url,
    stripeKey: redacted(STRIPE_KEY),
    loopback: true,
  });
  try {
    const error = (await clients.github.rest.repos
      .downloadTarballArchive({ owner: 'portcullis', repo: 'sdk', ref: 'main' })
      .catch((e: unknown) => e)) as { cause?: { code?: string } };
    expect(error.cause?.code).toBe('ERR_EGRESS_HOST_NOT_ALLOWED');
  } finally {
    await clients.close();
  }
});

it('src/main.ts runs as a program', async () => {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--conditions=@portcullis/source', 'src/main.ts'],
    { cwd: new URL('../../examples/outbound-saas-client/', import.meta.url), timeout: 30_000 },
  );
  expect(stdout).toContain('octokit: 20 calls, 2 issues each, 1 token request(s)');
  expect(stdout).toContain('stripe: created cus_1 for ada@example.com');
  expect(stdout).toContain('a redirect to the metadata address: ERR_EGRESS_HOST_NOT_ALLOWED');
  expect(stdout).toContain('resilience slot ran 22 request(s)');
  expect(`${stdout}${stderr}`).not.toMatch(/NOTICE|WARNING|Warning|500 with id/);
});
