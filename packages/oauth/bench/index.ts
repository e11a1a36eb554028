// Benchmarks for @portcullis/oauth. Run: pnpm --filter @portcullis/oauth bench
// 1. A cached getToken() against the floor (Map.get + expiry check), per call.
// 2. A real token request through our provider against openid-client's own clientCredentialsGrant,
//    both against oidc-provider on 127.0.0.1 (started here with the integration-test harness).
// 3. Token requests caused by N concurrent callers, and by a fleet, with and without single flight.
import { MemoryStore } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import * as client from 'openid-client';
import { Bench } from 'tinybench';
import { OIDC_CLIENTS, OIDC_RESOURCE, startOidc } from '../../../test/harness/oidc.ts';

const INNER = 10_000;
let sink: unknown;

function perCallNs(bench: Bench, name: string, inner: number): number {
  const task = bench.getTask(name);
  const result = task?.result;
  if (!result || !('period' in result)) throw new Error(`no result for ${name}`);
  return (result.period * 1e6) / inner;
}

const oidc = await startOidc({ accessTokenTtlSec: 3600 });
try {
  const base = {
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.basic.clientId,
    clientAuth: { method: 'client_secret_basic', secret: OIDC_CLIENTS.basic.secret },
    scope: 'orders:read',
    resource: OIDC_RESOURCE,
    allowInsecureHttp: true,
  } as const;

  // 1. Hot path.
  const provider = createTokenProvider(base);
  await provider.getToken();
  const floor = new Map([['k', { value: 'token', expiresAt: Date.now() + 3_600_000 }]]);
  const hot = new Bench({ time: 1500, warmupTime: 300 });
  hot.add('floor: Map.get + expiry check', () => {
    for (let i = 0; i < INNER; i++) {
      const entry = floor.get('k');
      sink = entry !== undefined && Date.now() < entry.expiresAt ? entry.value : undefined;
    }
  });
  hot.add('getToken() cached (call)', () => {
    for (let i = 0; i < INNER; i++) sink = provider.getToken();
  });
  hot.add('floor, awaited', async () => {
    for (let i = 0; i < INNER; i++) {
      const entry = floor.get('k');
      sink = await (entry !== undefined && Date.now() < entry.expiresAt ? entry.value : undefined);
    }
  });
  hot.add('await getToken() cached', async () => {
    for (let i = 0; i < INNER; i++) sink = await provider.getToken();
  });
  await hot.run();

  // 2. Real requests.
  const config = await client.discovery(
    new URL(oidc.issuer),
    OIDC_CLIENTS.basic.clientId,
    undefined,
    client.ClientSecretBasic(OIDC_CLIENTS.basic.secret),
    { execute: [client.allowInsecureRequests] },
  );
  const cold = new Bench({ time: 2000, warmupTime: 300 });
  cold.add('openid-client clientCredentialsGrant', async () => {
    sink = await client.clientCredentialsGrant(config, {
      scope: 'orders:read',
      resource: OIDC_RESOURCE,
    });
  });
  cold.add('getToken({ forceRefresh: true })', async () => {
    sink = await provider.getToken({ forceRefresh: true });
  });
  await cold.run();
  provider.close();

  // 3. Requests per N concurrent callers and per fleet.
  const counts: { scenario: string; callers: number; 'token requests': number }[] = [];
  for (const n of [1, 50, 1000]) {
    const p = createTokenProvider(base);
    oidc.resetCounts();
    await Promise.all(Array.from({ length: n }, () => p.getToken()));
    counts.push({
      scenario: 'portcullis (single flight)',
      callers: n,
      'token requests': oidc.tokenRequests,
    });
    p.close();
  }
  for (const n of [50]) {
    oidc.resetCounts();
    await Promise.all(
      Array.from({ length: n }, () =>
        client.clientCredentialsGrant(config, { scope: 'orders:read', resource: OIDC_RESOURCE }),
      ),
    );
    counts.push({
      scenario: 'openid-client, no single flight',
      callers: n,
      'token requests': oidc.tokenRequests,
    });
  }
  for (const shared of [false, true]) {
    const store = new MemoryStore();
    const fleet = Array.from({ length: 4 }, () =>
      createTokenProvider(shared ? { ...base, fleet: { store } } : base),
    );
    oidc.resetCounts();
    await Promise.all(fleet.flatMap((p) => Array.from({ length: 25 }, () => p.getToken())));
    counts.push({
      scenario: shared ? '4 providers, shared store (fleet)' : '4 providers, no shared store',
      callers: 100,
      'token requests': oidc.tokenRequests,
    });
    for (const p of fleet) p.close();
  }

  const floorNs = perCallNs(hot, 'floor: Map.get + expiry check', INNER);
  const floorAwaitNs = perCallNs(hot, 'floor, awaited', INNER);
  const rawMs = perCallNs(cold, 'openid-client clientCredentialsGrant', 1) / 1e6;
  const rows = [
    {
      task: 'floor: Map.get + expiry check',
      'per call': `${floorNs.toFixed(1)} ns`,
      ratio: '1.00× floor',
    },
    {
      task: 'getToken() cached (call)',
      'per call': `${perCallNs(hot, 'getToken() cached (call)', INNER).toFixed(1)} ns`,
      ratio: `${(perCallNs(hot, 'getToken() cached (call)', INNER) / floorNs).toFixed(2)}× floor`,
    },
    {
      task: 'floor, awaited',
      'per call': `${floorAwaitNs.toFixed(1)} ns`,
      ratio: '1.00× awaited floor',
    },
    {
      task: 'await getToken() cached',
      'per call': `${perCallNs(hot, 'await getToken() cached', INNER).toFixed(1)} ns`,
      ratio: `${(perCallNs(hot, 'await getToken() cached', INNER) / floorAwaitNs).toFixed(2)}× awaited floor`,
    },
    {
      task: 'openid-client clientCredentialsGrant (local server)',
      'per call': `${rawMs.toFixed(2)} ms`,
      ratio: '1.00× openid-client',
    },
    {
      task: 'getToken({ forceRefresh: true }) (local server)',
      'per call': `${(perCallNs(cold, 'getToken({ forceRefresh: true })', 1) / 1e6).toFixed(2)} ms`,
      ratio: `${(perCallNs(cold, 'getToken({ forceRefresh: true })', 1) / 1e6 / rawMs).toFixed(2)}× openid-client`,
    },
  ];
  console.log(`@portcullis/oauth bench — Node ${process.version}, ${process.arch}`);
  console.table(rows);
  console.table(counts);
  if (sink === Symbol.for('never')) console.log('unreachable');
} finally {
  await oidc.stop();
}
