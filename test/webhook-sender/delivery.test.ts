// The outbox against a real PostgreSQL and real loopback receivers, on a ManualClock (the SQL
// `now` is always the clock's, passed as a parameter): transactional enqueue, at-least-once
// delivery with stable ids, the retry schedule, Retry-After, 410, egress refusal, replay.
import { redacted } from '@portcullis/core';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import {
  createWebhookSender,
  DEFAULTS,
  isWebhookSenderError,
  schedules,
} from '@portcullis/webhook-sender';
import { createVerifier } from '@portcullis/webhooks';
import { describe, expect, it } from 'vitest';
import { inTransaction, makeSender, SECRET, START, startReceiver, usePostgres } from './support.ts';

const db = usePostgres(async (p) => {
  await p.query('CREATE TABLE orders (id text PRIMARY KEY)');
});

describe('enqueue in the caller transaction', () => {
  it('a committed business write sends its event; a rolled-back one sends nothing', async () => {
    const receiver = await startReceiver();
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ id: 'ep1', url: receiver.url, secretRef: 'hook' });
      const committed = await inTransaction(db.pool, async (client) => {
        await client.query('INSERT INTO orders VALUES ($1)', ['o1']);
        return f.sender.enqueue(client, { type: 'order.created', payload: { order: 'o1' } });
      });
      const rolledBack = await inTransaction(
        db.pool,
        async (client) => {
          await client.query('INSERT INTO orders VALUES ($1)', ['o2']);
          return f.sender.enqueue(client, { type: 'order.created', payload: { order: 'o2' } });
        },
        true,
      );
      expect(committed.deliveries).toBe(1);
      expect(await f.sender.runOnce()).toBe(1);
      expect(await f.sender.runOnce()).toBe(0);
      expect(receiver.requests.map((r) => r.body)).toEqual(['{"order":"o1"}']);
      expect(await f.sender.listDeliveries(rolledBack.id)).toEqual([]);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${f.schema}".messages`);
      expect(rows[0].n).toBe(1);
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('the same message id enqueued twice is stored and sent once', async () => {
    const receiver = await startReceiver();
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const event = { id: 'msg_order_o3', type: 'order.created', payload: { order: 'o3' } };
      const first = await inTransaction(db.pool, (c) => f.sender.enqueue(c, event));
      const again = await inTransaction(db.pool, (c) => f.sender.enqueue(c, event));
      expect([first.deliveries, again.deliveries]).toEqual([1, 0]);
      await f.sender.runOnce();
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('refuses a payload over the cap with a typed error and writes nothing; flags a large one', async () => {
    const f = await makeSender(db.pool, { maxPayloadBytes: 30_000 });
    try {
      const big = 'x'.repeat(30_001);
      const error = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: big }),
      ).catch((e: unknown) => e);
      expect(isWebhookSenderError(error, 'ERR_SENDER_PAYLOAD_TOO_LARGE')).toBe(true);
      expect((error as Error).message).not.toContain('xxx');
      const large = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: 'y'.repeat(20_001) }),
      );
      expect(large.large).toBe(true);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${f.schema}".messages`);
      expect(rows[0].n).toBe(1);
    } finally {
      await f.close();
    }
  });

  it('an endpoint receives only the event types of its filter', async () => {
    const receiver = await startReceiver();
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({
        url: receiver.url,
        secretRef: 'hook',
        eventTypes: ['invoice.paid'],
      });
      const skipped = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 'invoice.created', payload: 1 }),
      );
      const taken = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 'invoice.paid', payload: 2 }),
      );
      expect([skipped.deliveries, taken.deliveries]).toEqual([0, 1]);
      await f.sender.runOnce();
      expect(receiver.requests.map((r) => r.body)).toEqual(['2']);
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});

describe('delivery and the retry schedule (ManualClock)', () => {
  it('at least once, with the same verified message id on every retry', async () => {
    const receiver = await startReceiver((n) => ({ status: n < 2 ? 500 : 200 }));
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: { a: 1 } }),
      );
      await f.sender.runOnce(); // immediately: 500
      f.clock.advance(5_000);
      await f.sender.runOnce(); // after 5 s: 500
      f.clock.advance(300_000);
      await f.sender.runOnce(); // after 5 min: 200
      expect(receiver.requests).toHaveLength(3);
      // The same id every time; a fresh timestamp (and signature) per attempt.
      expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([id, id, id]);
      const stamps = receiver.requests.map((r) => Number(r.headers['webhook-timestamp']));
      expect(stamps).toEqual([START / 1000, START / 1000 + 5, START / 1000 + 305]);
      const verifier = createVerifier({ secrets: SECRET, store: false, clock: f.clock });
      const last = receiver.requests[2] as { headers: Record<string, string>; body: string };
      expect((await verifier.verify({ headers: last.headers, body: last.body })).id).toBe(id);
      const [state] = await f.sender.listDeliveries(id);
      expect(state).toMatchObject({ status: 'succeeded', attempts: 3, lastStatus: 200 });
      const attempts = await f.sender.listAttempts({ messageId: id });
      expect(attempts.map((a) => [a.attempt, a.outcome, a.httpStatus])).toEqual([
        [3, 'succeeded', 200],
        [2, 'failed', 500],
        [1, 'failed', 500],
      ]);
      expect(attempts.every((a) => a.latencyMs >= 0 && a.errorCode !== 'x')).toBe(true);
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('follows the Svix schedule exactly (jitter at its middle), then exhausts and reports', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    const exhausted: unknown[] = [];
    const f = await makeSender(db.pool, { onExhausted: (e) => exhausted.push(e) });
    try {
      await f.sender.addEndpoint({ id: 'down', url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      const seen: number[] = [];
      for (let i = 0; i < schedules.svix.length; i++) {
        const delay = schedules.svix[i] as number;
        if (delay > 1) {
          f.clock.advance(delay - 1);
          expect(await f.sender.runOnce()).toBe(0); // 1 ms early: nothing due
          f.clock.advance(1);
        }
        expect(await f.sender.runOnce()).toBe(1);
        seen.push(f.clock.now() - START);
      }
      const cumulative = schedules.svix.map((_, i) =>
        schedules.svix.slice(0, i + 1).reduce((a, b) => a + b, 0),
      );
      expect(seen).toEqual(cumulative);
      const [state] = await f.sender.listDeliveries(id);
      expect(state).toMatchObject({
        status: 'exhausted',
        attempts: 8,
        lastError: 'ERR_SENDER_HTTP_STATUS',
      });
      expect(exhausted).toEqual([
        {
          messageId: id,
          endpointId: 'down',
          eventType: 't',
          attempts: 8,
          errorCode: 'ERR_SENDER_HTTP_STATUS',
          lastStatus: 500,
        },
      ]);
      f.clock.advance(10 * 3_600_000);
      expect(await f.sender.runOnce()).toBe(0);
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('jitter spreads each delay by at most ±20%', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    const low = await makeSender(db.pool, { random: () => 0 });
    const high = await makeSender(db.pool, { random: () => 0.999999 });
    try {
      for (const [f, factor] of [
        [low, 0.8],
        [high, 1.2],
      ] as const) {
        await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
        const { id } = await inTransaction(db.pool, (c) =>
          f.sender.enqueue(c, { type: 't', payload: 1 }),
        );
        await f.sender.runOnce();
        await f.sender.runOnce(); // nothing due
        const [state] = await f.sender.listDeliveries(id);
        expect(
          Math.abs((state?.nextAttemptAt as number) - START - 5_000 * factor),
        ).toBeLessThanOrEqual(1);
      }
    } finally {
      await low.close();
      await high.close();
      await receiver.close();
    }
  });

  it('429 with Retry-After waits that long; a throttled failure waits at least 60 s; a huge Retry-After is capped', async () => {
    const answers = [
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 502 },
      { status: 503, headers: { 'retry-after': '999999' } },
      { status: 200 },
    ];
    const receiver = await startReceiver((n) => answers[n] ?? { status: 200 });
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      const next = async () =>
        ((await f.sender.listDeliveries(id))[0]?.nextAttemptAt as number) - f.clock.now();
      await f.sender.runOnce();
      expect(await next()).toBe(120_000); // Retry-After beats the 5 s step and the 60 s floor
      f.clock.advance(120_000);
      await f.sender.runOnce();
      expect(await next()).toBe(300_000); // 502: the 5 min step is already over 60 s
      f.clock.advance(300_000);
      await f.sender.runOnce();
      expect(await next()).toBe(DEFAULTS.maxRetryAfterMs); // capped at an hour
      f.clock.advance(DEFAULTS.maxRetryAfterMs);
      await f.sender.runOnce();
      expect((await f.sender.listDeliveries(id))[0]?.status).toBe('succeeded');
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('a 3xx is a failure: the redirect is not followed', async () => {
    const target = await startReceiver();
    const receiver = await startReceiver(() => ({
      status: 307,
      headers: { location: target.url },
    }));
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      await f.sender.runOnce();
      expect(target.requests).toHaveLength(0);
      expect((await f.sender.listDeliveries(id))[0]).toMatchObject({
        status: 'pending',
        lastError: 'ERR_SENDER_REDIRECT',
        lastStatus: 307,
      });
    } finally {
      await f.close();
      await receiver.close();
      await target.close();
    }
  });

  it('a receiver that never answers times out after requestTimeoutMs and backs off at least 60 s', async () => {
    const receiver = await startReceiver((n) =>
      n === 0 ? new Promise(() => {}) : { status: 200 },
    );
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      const run = f.sender.runOnce();
      while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      f.clock.advance(DEFAULTS.requestTimeoutMs);
      await run;
      const [state] = await f.sender.listDeliveries(id);
      expect(state).toMatchObject({ status: 'pending', lastError: 'ERR_SENDER_TIMEOUT' });
      expect((state?.nextAttemptAt as number) - f.clock.now()).toBe(60_000); // not the 5 s step
      const [attempt] = await f.sender.listAttempts({ messageId: id });
      expect(attempt?.latencyMs).toBe(DEFAULTS.requestTimeoutMs);
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});

describe('secrets during a rotation', () => {
  it('each message is signed with current and previous: a receiver holding either verifies', async () => {
    const OLD = SECRET;
    const NEW = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
    const provider = new MemoryProvider({ secrets: { hook: OLD } });
    await provider.putVersion('hook', redacted(NEW), { token: 'v2', stage: 'current' });
    const secrets = createSecretsCache(provider);
    const receiver = await startReceiver();
    const f = await makeSender(db.pool);
    const sender = createWebhookSender({
      pool: db.pool,
      secrets,
      schema: f.schema,
      fetch: f.fetch,
      clock: f.clock,
    });
    try {
      await sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      await inTransaction(db.pool, (c) => sender.enqueue(c, { type: 't', payload: { a: 1 } }));
      await sender.runOnce();
      const request = receiver.requests[0] as { headers: Record<string, string>; body: string };
      expect(request.headers['webhook-signature']?.split(' ')).toHaveLength(2);
      for (const secret of [OLD, NEW]) {
        const verifier = createVerifier({ secrets: secret, store: false, clock: f.clock });
        await expect(verifier.verify(request)).resolves.toMatchObject({
          id: request.headers['webhook-id'],
        });
      }
    } finally {
      await sender.stop();
      await secrets.close();
      await f.close();
      await receiver.close();
    }
  });
});
