// Four worker processes share one real Redis store: the fleet makes one token request per
// refresh window, not one per process. Tokens live 3 s; the run lasts ~7 s (about three windows).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OIDC_CLIENTS, OIDC_RESOURCE, type OidcPeer, startOidc } from '../harness/oidc.ts';
import { type RedisPeer, startRedis } from '../harness/redis.ts';

const WORKER = fileURLToPath(new URL('./fleetWorker.ts', import.meta.url));
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

function runWorker(): Promise<{ calls: number; fingerprints: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@portcullis/source',
        WORKER,
        redis.url,
        oidc.issuer,
        OIDC_CLIENTS.basic.clientId,
        OIDC_CLIENTS.basic.secret,
        OIDC_RESOURCE,
        String(RUN_MS),
        'fleet-test:',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], cwd: fileURLToPath(new URL('.', import.meta.url)) },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_MS + 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as { calls: number; fingerprints: string[] });
      else reject(new Error(`worker exited with ${code}: ${err.slice(0, 2000)}`));
    });
  });
}

it('four processes sharing Redis make one token request per refresh window', async () => {
  oidc.resetCounts();
  const results = await Promise.all([runWorker(), runWorker(), runWorker(), runWorker()]);
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
