// resilientFetch over real loopback sockets against a server scripted to fail: attempt counts,
// waits, breaker transitions, idempotency keys, the retry budget, aborts, body reads and sockets.
import {
  createBreakerRegistry,
  isResilienceError,
  type ResilientFetchOptions,
  resilientFetch,
} from '@portcullis/resilience';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FlakyHttp, startFlakyHttp } from '../harness/flakyHttp.ts';
import { waitFor } from '../harness/ports.ts';

let server: FlakyHttp;
let agent: Agent;
/** undici's fetch on a per-test pool, so closing the pool shows what was left open. */
const pooledFetch = ((input: string | URL | Request, init?: RequestInit) =>
  undiciFetch(
    input as never,
    { ...(init as object), dispatcher: agent } as never,
  )) as unknown as typeof fetch;

const quick: ResilientFetchOptions = {
  attemptTimeoutMs: 300,
  totalTimeoutMs: 5000,
  breaker: { samplingWindowMs: 1000 },
  retry: { initialDelayMs: 20, maxDelayMs: 40, jitter: 'none' },
};

beforeAll(async () => {
  server = await startFlakyHttp();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.script([], { status: 200, body: 'ok' });
  agent = new Agent({ keepAliveTimeout: 10_000 });
});
afterEach(async () => {
  // Every connection must be closable: a leaked, unread body would keep its request in flight.
  await agent.close();
  expect(await server.settled()).toBe(0);
});

describe('resilientFetch on loopback', () => {
  it('a burst of 503s is retried on one kept-alive connection, then the 200 is read in full', async () => {
    server.script([
      { status: 503, body: 'x'.repeat(10_000) },
      { status: 503, body: 'y'.repeat(10_000) },
    ]);
    const opened = server.connectionsOpened;
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/items`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(server.requests).toHaveLength(3);
    expect(server.connectionsOpened - opened).toBe(1);
  });

  it('large bodies of failed attempts are not left unread: their connections close, none leaks', async () => {
    const big = 'z'.repeat(1024 * 1024);
    server.script([
      { status: 503, body: big },
      { status: 503, body: big },
    ]);
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/items`);
    expect(await response.text()).toBe('ok');
    // An unread 1 MiB body pauses its socket for ever; drained (or cancelled past drainMaxBytes),
    // only the connection that carried the 200 stays, idle in the pool.
    await waitFor('failed attempts released', async () => server.connectionsOpen <= 1, {
      timeoutMs: 3000,
      intervalMs: 10,
    });
    expect(server.connectionsOpen).toBeLessThanOrEqual(1);
  });

  it('429 with Retry-After in seconds waits at least that long', async () => {
    server.script([{ status: 429, headers: { 'retry-after': '1' } }]);
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/`);
    expect(response.status).toBe(200);
    const [first, second] = server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('429 with Retry-After as an HTTP-date waits until that date', async () => {
    const until = Math.ceil((Date.now() + 1500) / 1000) * 1000; // HTTP-dates have whole seconds
    server.script([{ status: 429, headers: { 'retry-after': new Date(until).toUTCString() } }]);
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(server.requests[1]?.at ?? 0).toBeGreaterThanOrEqual(until - 10);
  });

  it('a hang past the attempt timeout is cut and retried', async () => {
    server.script(['hang']);
    const started = Date.now();
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('every attempt hanging ends in a typed timeout, bounded by the attempts', async () => {
    server.script([], 'hang');
    const started = Date.now();
    const error = await resilientFetch(
      pooledFetch,
      quick,
    )(`${server.url}/`).catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_TIMEOUT')).toBe(true);
    expect(server.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a connection reset is retried', async () => {
    server.script(['reset', 'reset']);
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(server.requests).toHaveLength(3);
  });

  it('a slow body is read in full after the pipeline returned, past the attempt timeout', async () => {
    server.script([{ slowBody: { chunks: 6, chunkBytes: 16_384, gapMs: 100 } }]);
    const response = await resilientFetch(pooledFetch, quick)(`${server.url}/big`);
    const body = await response.arrayBuffer(); // ~500 ms: longer than attemptTimeoutMs (300)
    expect(body.byteLength).toBe(6 * 16_384);
  });

  it('a POST without an Idempotency-Key is sent once; with one added, every attempt carries the same', async () => {
    server.script([], { status: 503 });
    const plain = await resilientFetch(pooledFetch, quick)(`${server.url}/orders`, {
      method: 'POST',
      body: '{"n":1}',
    });
    expect(plain.status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers['idempotency-key']).toBeUndefined();

    server.requests.length = 0;
    await resilientFetch(pooledFetch, { ...quick, addIdempotencyKey: true })(
      `${server.url}/orders`,
      {
        method: 'POST',
        body: '{"n":2}',
      },
    );
    const keys = server.requests.map((r) => r.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('the breaker opens on failures and then refuses without opening a socket; it half-opens and closes', async () => {
    server.script([], { status: 503 });
    const transitions: string[] = [];
    const breakers = createBreakerRegistry({
      consecutiveFailures: 3,
      breakDurationMs: 300,
      onTransition: (t) => transitions.push(`${t.from}->${t.to}`),
    });
    const client = resilientFetch(pooledFetch, { ...quick, retry: false, breakers });
    for (let i = 0; i < 3; i++) expect((await client(`${server.url}/`)).status).toBe(503);
    const opened = server.connectionsOpened;
    const error = await client(`${server.url}/`).catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_CIRCUIT_OPEN')).toBe(true);
    expect((error as { retryAt: number }).retryAt).toBeGreaterThan(Date.now());
    expect(server.requests).toHaveLength(3);
    expect(server.connectionsOpened).toBe(opened);
    server.script([], { status: 200 });
    await new Promise((r) =>
      setTimeout(r, (error as { retryAt: number }).retryAt - Date.now() + 5),
    );
    expect((await client(`${server.url}/`)).status).toBe(200);
    expect((await client(`${server.url}/`)).status).toBe(200);
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(breakers.states()).toEqual({ [new URL(server.url).host]: 'closed' });
  });

  it('the retry budget caps attempts during an outage', async () => {
    server.script([], { status: 503 });
    const client = resilientFetch(pooledFetch, {
      ...quick,
      breaker: false,
      retry: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1, jitter: 'none' },
      retryBudget: { capacity: 10, retryCost: 5, timeoutCost: 10 },
    });
    for (let i = 0; i < 10; i++) expect((await client(`${server.url}/`)).status).toBe(503);
    // without a budget: 30 requests; with it, 10 first attempts + 2 paid retries
    expect(server.requests).toHaveLength(12);
  });

  it('an abort during a backoff returns at once', async () => {
    server.script([{ status: 503, headers: { 'retry-after': '5' } }]);
    const controller = new AbortController();
    const call = resilientFetch(pooledFetch, { ...quick, retry: { maxRetryAfterMs: 4000 } })(
      `${server.url}/`,
      { signal: controller.signal },
    );
    await new Promise((r) => setTimeout(r, 150));
    expect(server.requests).toHaveLength(1);
    const abortedAt = Date.now();
    controller.abort(new Error('user left'));
    await expect(call).rejects.toThrow('user left');
    expect(Date.now() - abortedAt).toBeLessThan(100);
    expect(server.requests).toHaveLength(1);
  });

  it('hedging: a GET stuck on a hung connection is answered by the hedge; the loser is closed', async () => {
    server.script(['hang']);
    const started = Date.now();
    const response = await resilientFetch(pooledFetch, { ...quick, hedging: { delayMs: 100 } })(
      `${server.url}/slow-read`,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(Date.now() - started).toBeLessThan(290); // before the attempt timeout
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0]?.connection).not.toBe(server.requests[1]?.connection);
  });

  it('a RateLimit header with nothing remaining holds the next call to that host', async () => {
    server.script([{ status: 200, headers: { ratelimit: 'limit=5, remaining=0, reset=1' } }]);
    const client = resilientFetch(pooledFetch, { ...quick, rateLimit: { maxWaitMs: 2000 } });
    await (await client(`${server.url}/`)).text();
    await (await client(`${server.url}/`)).text();
    const [first, second] = server.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(990);
    const refusing = resilientFetch(pooledFetch, quick);
    server.script([{ status: 200, headers: { ratelimit: '"burst";r=0;t=5' } }]);
    await (await refusing(`${server.url}/`)).text();
    await expect(refusing(`${server.url}/`)).rejects.toSatisfy((e) =>
      isResilienceError(e, 'ERR_RESILIENCE_RATE_LIMITED'),
    );
  });

  it('calls to a healthy partner go on while another partner’s breaker is open', async () => {
    const healthy = await startFlakyHttp();
    try {
      server.script([], { status: 503 });
      const client = resilientFetch(pooledFetch, {
        ...quick,
        retry: false,
        breaker: { consecutiveFailures: 2, samplingWindowMs: 1000 },
      });
      await client(`${server.url}/`);
      await client(`${server.url}/`);
      await expect(client(`${server.url}/`)).rejects.toSatisfy((e) =>
        isResilienceError(e, 'ERR_RESILIENCE_CIRCUIT_OPEN'),
      );
      const ok = await client(`${healthy.url}/`);
      expect(ok.status).toBe(200);
      await ok.text();
    } finally {
      await agent.close();
      agent = new Agent();
      await healthy.close();
    }
  });
});
