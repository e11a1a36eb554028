import { fileURLToPath } from 'node:url';
import { ManualClock, MemoryStore, type Store, StoreError } from '@portcullis/core';
import { createIdempotency, DEFAULTS } from '@portcullis/idempotency';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

function post(
  key: string | undefined,
  body = '{"sku":"A1"}',
  path = '/v1/orders',
  init: RequestInit = {},
): Request {
  const headers = new Headers({
    'content-type': 'application/json',
    ...(init.headers as Record<string, string>),
  });
  if (key !== undefined) headers.set('idempotency-key', key);
  return new Request(`https://api.example.com${path}`, { method: 'POST', body, ...init, headers });
}

function counter(status = 201) {
  let calls = 0;
  const handler = async (request: Request) => {
    calls++;
    const body = await request.text();
    return new Response(JSON.stringify({ order: calls, echoed: body }), {
      status,
      headers: {
        'content-type': 'application/json',
        'x-order': String(calls),
        'set-cookie': 'session=abc',
      },
    });
  };
  return { handler, calls: () => calls };
}

const setup = (extra = {}) => {
  const clock = new ManualClock(0);
  const store = new MemoryStore({ clock });
  return { clock, store, idempotency: createIdempotency({ store, clock, ...extra }) };
};

describe('handle', () => {
  it('runs the first request and replays its status, headers and body to a retry', async () => {
    const { idempotency } = setup();
    const { handler, calls } = counter();
    const first = await idempotency.handle(post('"k-1"'), handler);
    const second = await idempotency.handle(post('"k-1"'), handler);
    expect(calls()).toBe(1);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual({ order: 1, echoed: '{"sku":"A1"}' });
    expect(second.headers.get('x-order')).toBe('1');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.headers.get('set-cookie')).toBeNull();
  });

  it('accepts a bare token as well as an sf-string, as the same key', async () => {
    const { idempotency } = setup();
    const { handler, calls } = counter();
    await idempotency.handle(post('"abc"'), handler);
    await idempotency.handle(post('abc'), handler);
    expect(calls()).toBe(1);
  });

  it('400 for a missing key when required; processes without one when not', async () => {
    const { idempotency } = setup();
    const { handler, calls } = counter();
    const refused = await idempotency.handle(post(undefined), handler);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.json()).toMatchObject({
      status: 400,
      code: 'ERR_IDEMPOTENCY_KEY_MISSING',
    });
    expect(calls()).toBe(0);
    const lenient = createIdempotency({ store: new MemoryStore(), required: false });
    expect((await lenient.handle(post(undefined), handler)).status).toBe(201);
  });

  it.each(['', '""', '"a", "b"', 'a, b', 'x'.repeat(256), '"tab\tinside"', 'ke y'])(
    '400 for the malformed key %j',
    async (key) => {
      const { idempotency } = setup();
      const { handler, calls } = counter();
      const response = await idempotency.handle(post(key), handler);
      expect(response.status).toBe(400);
      expect(calls()).toBe(0);
    },
  );

  it('422 when the key comes back with a different body, path or content type', async () => {
    const { idempotency } = setup();
    const { handler } = counter();
    await idempotency.handle(post('k'), handler);
    expect((await idempotency.handle(post('k', '{"sku":"B2"}'), handler)).status).toBe(422);
    expect(
      (await idempotency.handle(post('k', '{"sku":"A1"}', '/v1/orders?x=1'), handler)).status,
    ).toBe(422);
    expect(
      (
        await idempotency.handle(
          post('k', '{"sku":"A1"}', '/v1/orders', { headers: { 'content-type': 'text/plain' } }),
          handler,
        )
      ).status,
    ).toBe(422);
  });

  it('409 with Retry-After while the first request is in flight; a replay once it is done', async () => {
    const { idempotency } = setup();
    let finish: () => void = () => {};
    let calls = 0;
    const slow = async () => {
      calls++;
      await new Promise<void>((r) => {
        finish = r;
      });
      return new Response('done', { status: 200 });
    };
    const first = idempotency.handle(post('k'), slow);
    await new Promise((r) => setImmediate(r));
    const during = await idempotency.handle(post('k'), slow);
    expect(during.status).toBe(409);
    expect(during.headers.get('retry-after')).toBe('1');
    finish();
    expect((await first).status).toBe(200);
    const after = await idempotency.handle(post('k'), slow);
    expect(await after.text()).toBe('done');
    expect(calls).toBe(1);
  });

  it('of 30 concurrent identical requests the handler runs once', async () => {
    const { idempotency } = setup();
    const { handler, calls } = counter();
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => idempotency.handle(post('k'), handler)),
    );
    expect(calls()).toBe(1);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
  });

  it('a crashed worker’s lock expires after lockTtlMs; then the request runs', async () => {
    const { idempotency, clock, store } = setup({ lockTtlMs: 5000 });
    const { handler, calls } = counter();
    // A worker took the lock and died: simulate with a lock written directly by a first call that never returns.
    void idempotency.handle(post('k'), () => new Promise<Response>(() => {}));
    await new Promise((r) => setImmediate(r));
    expect((await idempotency.handle(post('k'), handler)).status).toBe(409);
    clock.advance(5000);
    expect((await idempotency.handle(post('k'), handler)).status).toBe(201);
    expect(calls()).toBe(1);
    expect(store.size).toBeGreaterThan(0);
  });

  it('does not store 5xx, 408 or 429: a retry runs again', async () => {
    for (const status of [500, 503, 408, 429]) {
      const { idempotency } = setup();
      const { handler, calls } = counter(status);
      await idempotency.handle(post('k'), handler);
      await idempotency.handle(post('k'), handler);
      expect(calls()).toBe(2);
    }
  });

  it('a handler that throws releases the key; the retry runs', async () => {
    const { idempotency } = setup();
    const { handler, calls } = counter();
    await expect(
      idempotency.handle(post('k'), async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect((await idempotency.handle(post('k'), handler)).status).toBe(201);
    expect(calls()).toBe(1);
  });

  it('keys are scoped by tenant and route', async () => {
    let tenant = 'acme';
    const { handler, calls } = counter();
    const idempotency = createIdempotency({ store: new MemoryStore(), tenant: () => tenant });
    await idempotency.handle(post('k'), handler);
    tenant = 'globex';
    await idempotency.handle(post('k'), handler);
    await idempotency.handle(post('k', '{"sku":"A1"}', '/v1/refunds'), handler);
    expect(calls()).toBe(3);
  });

  it('GET passes straight through', async () => {
    const { idempotency } = setup();
    const { handler, calls } = counter(200);
    await idempotency.handle(
      new Request('https://api.example.com/v1/orders', { headers: { 'idempotency-key': 'k' } }),
      handler,
    );
    await idempotency.handle(
      new Request('https://api.example.com/v1/orders', { headers: { 'idempotency-key': 'k' } }),
      handler,
    );
    expect(calls()).toBe(2);
  });

  it('413 for a body over maxRequestBytes, read no further', async () => {
    const { handler, calls } = counter();
    const idempotency = createIdempotency({ store: new MemoryStore(), maxRequestBytes: 16 });
    expect((await idempotency.handle(post('k', 'x'.repeat(17)), handler)).status).toBe(413);
    expect(calls()).toBe(0);
  });

  it('a response larger than maxResponseBytes reaches the first caller whole and is replayed without its body', async () => {
    const big = 'y'.repeat(100);
    const idempotency = createIdempotency({ store: new MemoryStore(), maxResponseBytes: 10 });
    const first = await idempotency.handle(
      post('k'),
      async () => new Response(big, { status: 201 }),
    );
    expect(await first.text()).toBe(big);
    const replay = await idempotency.handle(
      post('k'),
      async () => new Response('never', { status: 201 }),
    );
    expect(replay.status).toBe(201);
    expect(await replay.text()).toBe('');
  });

  it('a store that fails before the handler runs is a 503 and the handler does not run', async () => {
    const failing: Store = new MemoryStore();
    failing.get = async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'down');
    };
    const { handler, calls } = counter();
    const response = await createIdempotency({ store: failing }).handle(post('k'), handler);
    expect(response.status).toBe(503);
    expect(calls()).toBe(0);
  });

  it('a store that fails after the handler ran keeps the lock: retries get 409, not a second run', async () => {
    const store = new MemoryStore();
    const { handler, calls } = counter();
    const idempotency = createIdempotency({ store });
    const set = store.set.bind(store);
    store.set = async () => {
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'down');
    };
    expect((await idempotency.handle(post('k'), handler)).status).toBe(201);
    store.set = set;
    expect((await idempotency.handle(post('k'), handler)).status).toBe(409);
    expect(calls()).toBe(1);
  });

  it('any Idempotency-Key header value is either used or refused with 400, never a crash', async () => {
    const { idempotency } = setup();
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (key) => {
        let headerOk = true;
        try {
          new Headers({ 'idempotency-key': key });
        } catch {
          headerOk = false;
        }
        fc.pre(headerOk);
        const response = await idempotency.handle(
          post(key),
          async () => new Response('ok', { status: 201 }),
        );
        expect([201, 400]).toContain(response.status);
      }),
      { numRuns: 200 },
    );
  });
});

describe('run and check', () => {
  it('runs a webhook handler once per message id; a retried delivery gets the stored value', async () => {
    const { idempotency } = setup();
    let runs = 0;
    const process = async () => ({ processed: ++runs });
    expect(await idempotency.check('msg_1', 'h1')).toBe('new');
    expect(await idempotency.run('msg_1', 'h1', process)).toEqual({
      replayed: false,
      value: { processed: 1 },
    });
    expect(await idempotency.run('msg_1', 'h1', process)).toEqual({
      replayed: true,
      value: { processed: 1 },
    });
    expect(await idempotency.check('msg_1', 'h1')).toBe('completed');
    expect(await idempotency.check('msg_1', 'other')).toBe('mismatch');
    await expect(idempotency.run('msg_1', 'other', process)).rejects.toMatchObject({
      code: 'ERR_IDEMPOTENCY_KEY_REUSED',
    });
    expect(runs).toBe(1);
  });

  it('a result expires after ttlMs', async () => {
    const { idempotency, clock } = setup({ ttlMs: 1000 });
    let runs = 0;
    await idempotency.run('job', 'f', async () => ++runs);
    clock.advance(1000);
    await idempotency.run('job', 'f', async () => ++runs);
    expect(runs).toBe(2);
  });
});

describe('options', () => {
  it.each([
    [{ ttlMs: 0 }, 'options.ttlMs'],
    [{ lockTtlMs: Number.NaN }, 'options.lockTtlMs'],
    [{ methods: [] }, 'options.methods'],
    [{ methods: ['post'] }, 'options.methods'],
    [{ store: {} }, 'options.store'],
    [{ lockTTL: 5 }, 'options.lockTTL'],
  ])('refuses %j', (extra, name) => {
    expect(() => createIdempotency({ store: new MemoryStore(), ...extra } as never)).toThrow(name);
  });

  it('the README defaults table matches DEFAULTS', () => {
    expect(
      defaultsMismatches(fileURLToPath(new URL('../README.md', import.meta.url)), DEFAULTS),
    ).toEqual([]);
  });
});
