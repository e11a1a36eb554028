// One process of the cluster/Sentinel fleet tests: opens its own RedisStore (or rate-limit store)
// on the shared Redis, runs one feature in a loop for `durationMs`, and prints what every call
// gave (outcome, error code, milliseconds) as JSON. Started by the harness's runWorker().
import { isPortcullisError } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import { createRateLimiter, RedisRateLimitStore } from '@portcullis/ratelimit';
import { RedisStore, toCommandClient } from '@portcullis/store-redis';
import { createVerifier } from '@portcullis/webhooks';
import { createCluster } from 'redis';
import { readWorkerInput } from '../harness/worker.ts';

export type Target =
  | { kind: 'cluster'; urls: string[] }
  | { kind: 'sentinel'; masterName: string; sentinels: string[] };

interface Common {
  target: Target;
  keyPrefix: string;
  /** Wall-clock time (ms since the epoch) every worker of the fleet starts its loop at. */
  startAt: number;
  durationMs: number;
  /** Pause between calls, in milliseconds. */
  gapMs: number;
  commandTimeoutMs: number;
}

export type FleetWorkerInput = Common &
  (
    | { mode: 'tokens'; issuer: string; clientId: string; secret: string; resource: string }
    | {
        mode: 'webhooks';
        secret: string;
        /** Signed deliveries, tried in order, round after round, until each was answered. */
        deliveries: Array<{ headers: Record<string, string>; body: string }>;
        durable: boolean;
      }
    | { mode: 'ratelimit'; key: string; limit: number; windowMs: number }
  );

/** One call: what it gave and how long it took. */
export interface Call {
  /** Milliseconds since the worker's loop started. */
  at: number;
  ms: number;
  /** 'ok', 'refused' (a typed refusal: replay, 429), or a PortcullisError code. */
  outcome: string;
  /** What was accepted: a token fingerprint, a webhook id. */
  value?: string;
}

export interface FleetWorkerOutput {
  calls: Call[];
  /** A store round trip made after the loop, on the same connections: recovery without restart. */
  healthyAfter: boolean;
}

const input = await readWorkerInput<FleetWorkerInput>();
const { target, keyPrefix, startAt, durationMs, gapMs, commandTimeoutMs } = input;

const store =
  target.kind === 'cluster'
    ? await RedisStore.connectCluster({
        urls: target.urls,
        keyPrefix,
        commandTimeoutMs,
        ...(input.mode === 'webhooks' && input.durable
          ? { durableWrites: { replicas: 1, timeoutMs: Math.floor(commandTimeoutMs / 2) } }
          : {}),
      })
    : await RedisStore.connectSentinel({
        masterName: target.masterName,
        sentinels: target.sentinels,
        keyPrefix,
        commandTimeoutMs,
        ...(input.mode === 'webhooks' && input.durable
          ? { durableWrites: { replicas: 1, timeoutMs: Math.floor(commandTimeoutMs / 2) } }
          : {}),
      });

const calls: Call[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed(work: () => Promise<string | undefined>, refusal: string): Promise<void> {
  const t = Date.now();
  try {
    const value = await work();
    calls.push({ at: t - started, ms: Date.now() - t, outcome: 'ok', ...(value ? { value } : {}) });
  } catch (error) {
    const code = isPortcullisError(error) ? (error as { code: string }).code : 'untyped';
    calls.push({
      at: t - started,
      ms: Date.now() - t,
      outcome: code === refusal ? 'refused' : code,
    });
  }
}

let cleanup: () => Promise<void> = async () => {};
let started = startAt;
/** Waits (connected, set up) for the fleet's common start, so the parent can time its kill. */
async function begin(): Promise<void> {
  await sleep(startAt - Date.now());
  started = Math.max(startAt, Date.now());
}
if (input.mode === 'tokens') {
  const tokens = createTokenProvider({
    issuer: input.issuer,
    clientId: input.clientId,
    clientAuth: { method: 'client_secret_basic', secret: input.secret },
    scope: 'orders:read',
    resource: input.resource,
    allowInsecureHttp: true,
    fleet: { store, pollIntervalMs: 50, lockTtlMs: 3000, storeTimeoutMs: commandTimeoutMs },
  });
  await begin();
  while (Date.now() - started < durationMs) {
    await timed(async () => {
      const token = await tokens.getToken();
      if (token.expiresAt <= Date.now()) throw new Error('served an expired token');
      return token.fingerprint;
    }, '');
    await sleep(gapMs);
  }
  tokens.close();
} else if (input.mode === 'webhooks') {
  const verifier = createVerifier({ secrets: input.secret, store });
  const answered = new Set<number>();
  await begin();
  // Round after round over the deliveries still unanswered (a 503 is retried, as a sender would).
  while (Date.now() - started < durationMs && answered.size < input.deliveries.length) {
    for (const [i, d] of input.deliveries.entries()) {
      if (answered.has(i) || Date.now() - started >= durationMs) continue;
      const before = calls.length;
      await timed(
        async () => (await verifier.verify({ headers: d.headers, body: d.body })).id,
        'ERR_WEBHOOK_REPLAYED',
      );
      const last = calls[before] as Call;
      if (last.outcome === 'ok' || last.outcome === 'refused') answered.add(i);
      await sleep(gapMs);
    }
  }
} else {
  const rateStore =
    target.kind === 'cluster'
      ? await (async () => {
          const cluster = createCluster({
            rootNodes: target.urls.map((url) => ({ url })),
            defaults: { disableOfflineQueue: true },
          });
          cluster.on('error', () => {});
          await cluster.connect();
          cleanup = async () => cluster.destroy();
          return new RedisRateLimitStore({ client: toCommandClient({ cluster }) });
        })()
      : undefined;
  if (rateStore === undefined) throw new Error('ratelimit mode runs on the cluster');
  const limiter = createRateLimiter({
    limit: input.limit,
    windowMs: input.windowMs,
    algorithm: 'sliding-window',
    keyPrefix,
    store: rateStore,
    storeTimeoutMs: commandTimeoutMs,
    onStoreFailure: 'closed',
    storeRetryMs: 100,
  });
  await begin();
  while (Date.now() - started < durationMs) {
    // 'degraded' is the configured 'closed' answer (a 503) while the store cannot decide.
    await timed(async () => {
      const decision = await limiter.check(input.key);
      if (decision.degraded !== false) return 'degraded';
      return decision.allowed ? 'allowed' : 'limited';
    }, '');
    await sleep(gapMs);
  }
}

let healthyAfter = false;
try {
  await store.set(`health:${process.pid}`, 'up', 10_000);
  healthyAfter = (await store.get(`health:${process.pid}`)) === 'up';
} catch {
  healthyAfter = false;
}
// Each bounded: a client the test built itself (ratelimit mode) may still be reconnecting to the
// killed node; that must not hold the worker past its result.
const within = (work: Promise<unknown>): Promise<unknown> =>
  Promise.race([work.catch(() => {}), sleep(5000)]);
await within(cleanup());
await within(store.close());
// Exit once the result is written: a reconnect timer of a destroyed cluster client (node-redis)
// can otherwise keep the process alive until the parent's timeout SIGKILLs it.
process.stdout.write(
  `${JSON.stringify({ calls, healthyAfter } satisfies FleetWorkerOutput)}\n`,
  () => process.exit(0),
);
