// resilientFetch against a scripted fetch function (no sockets; the real-socket tests are in
// test/resilience/).
import { isResilienceError, resilientFetch } from '@portcullis/resilience';
import { describe, expect, it } from 'vitest';
import { advance, clockAt, flush } from './helpers.ts';

interface Seen {
  method: string;
  key: string | null;
  signal: AbortSignal | undefined;
}

function scripted(...answers: (number | Error | (() => Response))[]) {
  const seen: Seen[] = [];
  const bodies: ReadableStream[] = [];
  const fake: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    seen.push({
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      key: headers.get('idempotency-key'),
      signal: init?.signal ?? undefined,
    });
    const next = answers.length > 1 ? answers.shift() : answers[0];
    if (next instanceof Error) throw next;
    if (typeof next === 'function') return next();
    const body = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(`status ${next}`));
        c.close();
      },
    });
    bodies.push(body);
    return new Response(body, { status: next as number });
  };
  return { fake, seen, bodies };
}

const fast = { retry: { initialDelayMs: 10, jitter: 'none' as const } };

describe('resilientFetch', () => {
  it('retries 503 for GET up to 3 calls and returns the last response as a Response', async () => {
    const clock = clockAt();
    const { fake, seen, bodies } = scripted(503);
    const call = resilientFetch(fake, { clock, ...fast })('https://partner.example/items');
    await advance(clock, 100, 5);
    const response = await call;
    expect(response.status).toBe(503);
    expect(seen).toHaveLength(3);
    expect(await response.text()).toBe('status 503');
    // the bodies of the two failed attempts were read off (drained), freeing their connections
    expect(bodies.slice(0, 2).every((b) => b.locked)).toBe(true);
  });

  it.each([408, 429, 500, 502, 503, 504])('retries %i', async (status) => {
    const clock = clockAt();
    const { fake, seen } = scripted(status, 200);
    const call = resilientFetch(fake, { clock, ...fast })('https://p.example/');
    await advance(clock, 100, 5);
    expect((await call).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it.each([400, 401, 404, 409, 422, 501, 505])('does not retry %i', async (status) => {
    const clock = clockAt();
    const { fake, seen } = scripted(status, 200);
    expect((await resilientFetch(fake, { clock, ...fast })('https://p.example/')).status).toBe(
      status,
    );
    expect(seen).toHaveLength(1);
  });

  it('retries network errors but not the caller abort', async () => {
    const clock = clockAt();
    const { fake, seen } = scripted(new TypeError('fetch failed'), 200);
    const call = resilientFetch(fake, { clock, ...fast })('https://p.example/');
    await advance(clock, 100, 5);
    expect((await call).status).toBe(200);
    expect(seen).toHaveLength(2);
  });

  it('a POST without an Idempotency-Key is sent once; with one, the same key goes on every attempt', async () => {
    const clock = clockAt();
    const plain = scripted(503);
    await resilientFetch(plain.fake, { clock, ...fast })('https://p.example/orders', {
      method: 'POST',
      body: '{}',
    });
    expect(plain.seen).toHaveLength(1);

    const keyed = scripted(503, 503, 201);
    const call = resilientFetch(keyed.fake, { clock, ...fast })('https://p.example/orders', {
      method: 'POST',
      body: '{}',
      headers: { 'Idempotency-Key': 'order-42' },
    });
    await advance(clock, 100, 5);
    expect((await call).status).toBe(201);
    expect(keyed.seen.map((s) => s.key)).toEqual(['order-42', 'order-42', 'order-42']);
  });

  it('addIdempotencyKey adds one key to POST/PATCH and reuses it on each attempt', async () => {
    const clock = clockAt();
    const { fake, seen } = scripted(500, 502, 200);
    const call = resilientFetch(fake, { clock, addIdempotencyKey: true, ...fast })(
      'https://p.example/orders',
      { method: 'PATCH', body: 'x' },
    );
    await advance(clock, 100, 5);
    await call;
    expect(seen).toHaveLength(3);
    expect(seen[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set(seen.map((s) => s.key)).size).toBe(1);
    const get = scripted(200);
    await resilientFetch(get.fake, { clock, addIdempotencyKey: true })('https://p.example/');
    expect(get.seen[0]?.key).toBeNull();
  });

  it('a streamed body cannot be replayed: sent once even for PUT', async () => {
    const clock = clockAt();
    const { fake, seen } = scripted(503);
    const body = new ReadableStream({
      start(c) {
        c.close();
      },
    });
    await resilientFetch(fake, { clock, ...fast })('https://p.example/blob', {
      method: 'PUT',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(seen).toHaveLength(1);
  });

  it('an open breaker answers at once with a typed error carrying retryAt, and fetch is not called', async () => {
    const clock = clockAt();
    const { fake, seen } = scripted(503);
    const client = resilientFetch(fake, {
      clock,
      retry: false,
      breaker: { consecutiveFailures: 2, breakDurationMs: 5000 },
    });
    await client('https://down.example/a');
    await client('https://down.example/b');
    const error = await client('https://down.example/c').catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_RESILIENCE_CIRCUIT_OPEN')).toBe(true);
    expect((error as { key: string; retryAt: number }).key).toBe('down.example');
    expect((error as { retryAt: number }).retryAt).toBe(clock.now() + 5000);
    expect(seen).toHaveLength(2);
  });

  it('429 does not count against the breaker (the partner is alive); it pauses the host', async () => {
    const clock = clockAt();
    const { fake, seen } = scripted(
      () => new Response(null, { status: 429, headers: { 'retry-after': '3' } }),
    );
    const client = resilientFetch(fake, {
      clock,
      retry: false,
      breaker: { consecutiveFailures: 1 },
    });
    expect((await client('https://busy.example/')).status).toBe(429);
    const refused = await client('https://busy.example/').catch((e: unknown) => e);
    expect(isResilienceError(refused, 'ERR_RESILIENCE_RATE_LIMITED')).toBe(true);
    expect((refused as { retryAt: number }).retryAt).toBe(clock.now() + 3000);
    clock.advance(3000);
    expect((await client('https://busy.example/')).status).toBe(429);
    expect(seen).toHaveLength(2);
  });

  it('RateLimit headers with nothing remaining hold calls to that host until the reset', async () => {
    const clock = clockAt();
    const { fake } = scripted(
      () =>
        new Response('ok', {
          status: 200,
          headers: { ratelimit: 'limit=10, remaining=0, reset=2' },
        }),
    );
    const client = resilientFetch(fake, { clock, rateLimit: { maxWaitMs: 5000 } });
    await client('https://quota.example/');
    const held = client('https://quota.example/');
    await flush();
    await advance(clock, 1999);
    let done = false;
    void held.then(() => (done = true));
    await flush();
    expect(done).toBe(false);
    await advance(clock, 1);
    expect((await held).status).toBe(200);
  });

  it('429 Retry-After as an HTTP-date is honoured as the minimum wait', async () => {
    const clock = clockAt();
    const at: number[] = [];
    const start = clock.now();
    const date = new Date(start + 4000).toUTCString();
    let n = 0;
    const fake: typeof fetch = async () => {
      at.push(clock.now() - start);
      return n++ === 0
        ? new Response(null, { status: 429, headers: { 'retry-after': date } })
        : new Response('ok');
    };
    const call = resilientFetch(fake, { clock, ...fast })('https://p.example/');
    await advance(clock, 5000, 100);
    expect((await call).status).toBe(200);
    expect(at).toEqual([0, 4000]);
  });

  it('the caller signal reaches the attempt, and the returned body stays readable', async () => {
    const clock = clockAt();
    const { fake, seen } = scripted(200);
    const controller = new AbortController();
    const response = await resilientFetch(fake, { clock })('https://p.example/', {
      signal: controller.signal,
    });
    clock.advance(60_000);
    expect(seen[0]?.signal?.aborted).toBe(false);
    expect(await response.text()).toBe('status 200');
    controller.abort();
    expect(seen[0]?.signal?.aborted).toBe(true);
  });

  it('keys default to the host; keyFor can pick another', async () => {
    const clock = clockAt();
    const { fake } = scripted(503);
    const client = resilientFetch(fake, {
      clock,
      retry: false,
      breaker: { consecutiveFailures: 1 },
      keyFor: (url) => url.pathname.split('/')[1] ?? '',
    });
    await client('https://one.example/tenant-a/x');
    await expect(client('https://two.example/tenant-a/y')).rejects.toThrow(/tenant-a/);
    expect((await client('https://one.example/tenant-b/x')).status).toBe(503);
  });
});
