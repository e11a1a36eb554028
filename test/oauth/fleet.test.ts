// Four worker processes share one real Redis store: the fleet makes one token request per
// refresh window, not one per process. Tokens live 3 s; the run lasts ~7 s (about three windows).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';
import { runWorker } from '../harness/worker.ts';
import type { FleetWorkerInput } from './fleetWorker.ts';

const WORKER = new URL('./fleetWorker.ts', import.meta.url);
const TTL_SEC = 3;
const RUN_MS = 7000;

let oidc: OidcPeer;
let redis: RedisPeer;
beforeAll(async () => {
  [oidc, redis] = await Promise.all([startOidc({ accessTokenTtlSec: TTL_SEC }), startRedis()]);
});
afterAll(async () => {
  await Promise.all([oidc?.stop(), redis?.stop()]);
});

function runFleetWorker(): Promise<{ calls: number; fingerprints: string[] }> {
  const input: FleetWorkerInput = {
    redisUrl: redis.url,
    issuer: oidc.issuer,
    clientId: OIDC_CLIENTS.basic.clientId,
    secret: OIDC_CLIENTS.basic.secret,
    resource: OIDC_RESOURCE,
    durationMs: RUN_MS,
    keyPrefix: 'fleet-test:',
  };
  return runWorker(WORKER, input, { timeoutMs: RUN_MS + 20_000 });
}

it('four processes sharing Redis make one token request per refresh window', async () => {
  oidc.resetCounts();
  const results = await Promise.all([
    runFleetWorker(),
    runFleetWorker(),
    runFleetWorker(),
    runFleetWorker(),
  ]);
  const all = new Set(results.flatMap((r) => r.fingerprints));
  for (const r of results) {
    expect(r.calls).toBeGreaterThan(50);
    expect(r.fingerprints.length).toBeGreaterThanOrEqual(2); // each saw the refreshed tokens
  }
  // Every token the server issued was shared by the fleet: requests = distinct tokens seen.
  expect(oidc.tokenRequests).toBe(all.size);
  // Windows: refresh at 70–80% of 3 s (capped at expiry − 0.75 s) → at most ~⌈7 / 2.1⌉ + 1 tokens.
  // Without sharing, four processes would make four times as many.
  const windows = Math.ceil(RUN_MS / (TTL_SEC * 1000 * 0.7)) + 1;
  expect(oidc.tokenRequests).toBeLessThanOrEqual(windows);
  expect(oidc.tokenRequests).toBeGreaterThanOrEqual(3);
});
