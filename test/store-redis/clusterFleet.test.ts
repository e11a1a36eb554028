// Fleets on a real Redis Cluster, one process per replica (test/store-redis/fleetWorker.ts):
// one token request per window, a webhook replayed to another replica refused, a rate limit exact
// across processes — and in each, the primary holding the feature's keys SIGKILLed mid-run and
// its replica promoted. Asserted: nothing accepted twice, no overshoot past the documented bound,
// every call answered or given a typed error in bounded time, recovery without a restart.
import { createSigner, generateSecret } from '@portcullis/webhooks';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';
import { waitFor } from '../harness/ports.ts';
import { type RedisClusterPeer, startRedisCluster } from '../harness/redisCluster.ts';
import { runWorker } from '../harness/worker.ts';
import type { Call, FleetWorkerInput, FleetWorkerOutput } from './fleetWorker.ts';

const WORKER = new URL('./fleetWorker.ts', import.meta.url);
const TIMEOUT_MS = 400;
const TOKEN_TTL_SEC = 3;

let cluster: RedisClusterPeer;
let oidc: OidcPeer;
beforeAll(async () => {
  [cluster, oidc] = await Promise.all([
    startRedisCluster(),
    startOidc({ accessTokenTtlSec: TOKEN_TTL_SEC }),
  ]);
});
afterAll(async () => {
  await Promise.all([cluster?.stop(), oidc?.stop()]);
});

type Input = FleetWorkerInput extends infer T
  ? T extends unknown
    ? Omit<T, 'target' | 'startAt'>
    : never
  : never;

/** Time for the workers to start (Node, TypeScript from source, a connection) on a busy machine. */
const SPAWN_MS = 3000;

/** Starts `n` workers that begin their loops together at the returned `startAt`. */
function fleet(n: number, input: Input): { startAt: number; done: Promise<FleetWorkerOutput[]> } {
  const startAt = Date.now() + SPAWN_MS;
  const full = {
    ...input,
    startAt,
    target: { kind: 'cluster', urls: [...cluster.urls] },
  } as FleetWorkerInput;
  const done = Promise.all(
    Array.from({ length: n }, () =>
      runWorker<FleetWorkerOutput>(WORKER, full, { timeoutMs: input.durationMs + 30_000 }),
    ),
  );
  return { startAt, done };
}

/** At `at` (wall clock), finds a key under `pattern` and SIGKILLs the primary holding it. */
async function killPrimaryHolding(pattern: string, at: number, beforeKill = (): void => {}) {
  await new Promise((r) => setTimeout(r, at - Date.now()));
  const key = await waitFor(
    `a key matching ${pattern}`,
    async () => {
      for (const node of cluster.nodes.filter((n) => n.running)) {
        const found = (await cluster.cli(node, 'KEYS', pattern)).trim().split('\n')[0];
        if (found) return found;
      }
      return undefined;
    },
    { timeoutMs: 10_000, intervalMs: 50 },
  );
  const slot = await cluster.keySlot(key);
  beforeKill();
  return cluster.killPrimaryOf(slot);
}

function expectBounded(calls: Call[], boundMs: number, typed: readonly string[]): void {
  for (const c of calls) {
    expect(c.ms, `a call at ${c.at} ms took ${c.ms} ms`).toBeLessThan(boundMs);
    expect(['ok', 'refused', ...typed]).toContain(c.outcome);
  }
}

it('tokens: one request per window across three processes, a primary killed mid-run, every caller served', async () => {
  oidc.resetCounts();
  const RUN_MS = 6000;
  const { startAt, done: running } = fleet(3, {
    mode: 'tokens',
    keyPrefix: 'fleet-tokens:',
    durationMs: RUN_MS,
    gapMs: 50,
    commandTimeoutMs: TIMEOUT_MS,
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.basic.clientId,
    secret: OIDC_CLIENTS.basic.secret,
    resource: OIDC_RESOURCE,
  });
  let requestsAtKill = 0;
  let killedAt = 0;
  const { killed } = await killPrimaryHolding('fleet-tokens:*:token', startAt + 1500, () => {
    requestsAtKill = oidc.tokenRequests;
    killedAt = Date.now() - startAt;
  });
  // The killed node is started again at once (an orchestrator would) and rejoins as a replica.
  await cluster.restart(killed);
  const results = await running;

  const calls = results.flatMap((r) => r.calls);
  // Every getToken answered with a valid token: a store outage costs a local fetch, never an error.
  expectBounded(calls, 2500, []);
  expect(calls.every((c) => c.outcome === 'ok')).toBe(true);
  for (const r of results) expect(r.healthyAfter).toBe(true);
  // Before the kill: one request per refresh window for the whole fleet (refresh at 70–80 % of 3 s).
  expect(requestsAtKill).toBeLessThanOrEqual(Math.ceil(killedAt / (TOKEN_TTL_SEC * 700)) + 1);
  // Over the run: at most one extra request per process for the outage, never one per call.
  const windows = Math.ceil(RUN_MS / (TOKEN_TTL_SEC * 700)) + 1;
  expect(oidc.tokenRequests).toBeLessThanOrEqual(windows + 3);
  // Every token the server issued was used: requests = distinct tokens seen by the fleet.
  expect(new Set(calls.map((c) => c.value)).size).toBe(oidc.tokenRequests);
});

it('webhooks: each delivery accepted by exactly one of three processes, a primary killed mid-run (durableWrites)', async () => {
  const secret = generateSecret().reveal();
  const signer = createSigner({ secrets: secret });
  const deliveries = await Promise.all(
    Array.from({ length: 60 }, async (_, i) => {
      const body = JSON.stringify({ type: 'invoice.paid', data: { id: `in_${i}` } });
      return { headers: await signer.sign({ body }), body };
    }),
  );
  const { startAt, done: running } = fleet(3, {
    mode: 'webhooks',
    keyPrefix: 'fleet-webhooks:',
    durationMs: 9000,
    gapMs: 15,
    commandTimeoutMs: TIMEOUT_MS,
    secret,
    deliveries,
    durable: true,
  });
  const { killed } = await killPrimaryHolding('fleet-webhooks:*', startAt + 300);
  // The killed node is started again at once (an orchestrator would) and rejoins as a replica.
  await cluster.restart(killed);
  const results = await running;

  const calls = results.flatMap((r) => r.calls);
  // setIfAbsent + WAIT (+ the undo of an unconfirmed mark), each bounded by commandTimeoutMs.
  expectBounded(calls, 3 * TIMEOUT_MS + 1000, ['ERR_STORE_UNAVAILABLE']);
  expect(calls.some((c) => c.outcome === 'ERR_STORE_UNAVAILABLE')).toBe(true); // the kill was felt
  for (const r of results) expect(r.healthyAfter).toBe(true);
  const accepted = calls.filter((c) => c.outcome === 'ok').map((c) => c.value);
  // Never twice…
  expect(accepted.length).toBe(new Set(accepted).size);
  // …and none lost: each delivery, retried after a 503 as a sender would, accepted once.
  expect(new Set(accepted)).toEqual(new Set(deliveries.map((d) => d.headers['webhook-id'])));
});

it('rate limit: exact across three processes, and after a primary is killed no overshoot past one per process', async () => {
  const LIMIT = 40;
  const common = {
    mode: 'ratelimit' as const,
    keyPrefix: 'fleet-rate:',
    gapMs: 10,
    commandTimeoutMs: TIMEOUT_MS,
    limit: LIMIT,
    windowMs: 60_000,
  };
  // No failure: exactly LIMIT allowed across the fleet.
  const calm = await fleet(3, { ...common, key: 'calm', durationMs: 1200 }).done;
  const calmCalls = calm.flatMap((r) => r.calls);
  expect(calmCalls.filter((c) => c.value === 'allowed')).toHaveLength(LIMIT);
  expect(calmCalls.length).toBeGreaterThan(LIMIT);

  // The primary holding the counters killed once half the limit is used.
  const { startAt, done: running } = fleet(3, {
    ...common,
    key: 'storm',
    gapMs: 60,
    durationMs: 4500,
  });
  const { killed } = await killPrimaryHolding('fleet-rate:{storm}*', startAt + 300);
  // The killed node is started again at once (an orchestrator would) and rejoins as a replica.
  await cluster.restart(killed);
  const results = await running;
  const calls = results.flatMap((r) => r.calls);
  expectBounded(calls, TIMEOUT_MS + 1000, []); // slack for a loaded machine, not a hang
  for (const r of results) expect(r.healthyAfter).toBe(true);
  const degraded = calls.filter((c) => c.value === 'degraded');
  expect(degraded.length).toBeGreaterThan(0); // 'closed' answered while the slot had no primary
  // Decisions acknowledged by the dead primary but not yet replicated can be lost: at most the
  // one in flight per process (each process decides one request at a time).
  const allowed = calls.filter((c) => c.value === 'allowed').length;
  expect(allowed).toBeGreaterThanOrEqual(LIMIT);
  expect(allowed).toBeLessThanOrEqual(LIMIT + 3);
  // Recovered: the last decisions are the store's again, not the fallback's.
  for (const r of results) expect(['allowed', 'limited']).toContain(r.calls.at(-1)?.value);
});
