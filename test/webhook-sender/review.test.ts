// Defects found by an attacker's review, pinned on a real PostgreSQL: a resend that stole an
// in-flight lease (one message sent twice at once), workers whose clocks differ, recover() on an
// unknown endpoint, enqueue outside a transaction or with a value PostgreSQL refuses.
import { ManualClock } from '@portcullis/core';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import { createWebhookSender } from '@portcullis/webhook-sender';
import { describe, expect, it } from 'vitest';
import { inTransaction, makeSender, SECRET, START, startReceiver, usePostgres } from './support.ts';

const db = usePostgres(async (p) => {
  await p.query('CREATE TABLE orders (id text PRIMARY KEY)');
});

/** A receiver whose first request waits for `release()`; later ones answer `later`. */
async function heldReceiver(first: number, later = 200) {
  let release: () => void = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  let open = 0;
  let most = 0;
  const receiver = await startReceiver(async (n) => {
    open++;
    most = Math.max(most, open);
    try {
      if (n === 0) await held;
      return { status: n === 0 ? first : later };
    } finally {
      open--;
    }
  });
  const arrived = async (count: number) => {
    for (let i = 0; i < 400 && receiver.requests.length < count; i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(receiver.requests).toHaveLength(count);
  };
  return { receiver, release: () => release(), arrived, most: () => most };
}

describe('no message is sent twice at once', () => {
  it.each([
    ['to every endpoint', undefined],
    ['to one endpoint', 'ep'],
  ])('resend() %s while an attempt is in flight waits for it, then sends again', async (_, to) => {
    const h = await heldReceiver(200);
    const a = await makeSender(db.pool, { workerId: 'A' });
    const b = createWebhookSender({
      pool: db.pool,
      secrets: createSecretsCache(new MemoryProvider({ secrets: { hook: SECRET } })),
      schema: a.schema,
      fetch: a.fetch,
      clock: a.clock,
      workerId: 'B',
    });
    try {
      await a.sender.addEndpoint({ id: 'ep', url: h.receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        a.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      const slow = a.sender.runOnce();
      await h.arrived(1);
      expect(await a.sender.resend(id, to)).toBe(1);
      expect(await b.runOnce()).toBe(0); // A's lease still holds: no second request now
      h.release();
      await slow;
      // A's attempt is recorded, and the resend is still owed: the delivery is due now.
      const attempts = await a.sender.listAttempts({ messageId: id });
      expect(attempts.map((x) => [x.worker, x.outcome, x.leaseLost])).toEqual([
        ['A', 'succeeded', false],
      ]);
      expect((await a.sender.listDeliveries(id))[0]).toMatchObject({ status: 'pending' });
      expect(await b.runOnce()).toBe(1);
      expect(h.receiver.requests).toHaveLength(2);
      expect(h.most()).toBe(1);
      expect((await a.sender.listDeliveries(id))[0]).toMatchObject({
        status: 'succeeded',
        attempts: 1,
      });
    } finally {
      h.release();
      await b.stop();
      await a.close();
      await h.receiver.close();
    }
  });

  it('a worker whose clock is ahead by less than leaseMs - requestTimeoutMs does not take a lease over', async () => {
    const h = await heldReceiver(200);
    const a = await makeSender(db.pool, { workerId: 'A', leaseMs: 1000, requestTimeoutMs: 500 });
    const bClock = new ManualClock(START + 499); // B runs 499 ms ahead of A
    const b = createWebhookSender({
      pool: db.pool,
      secrets: createSecretsCache(new MemoryProvider({ secrets: { hook: SECRET } })),
      schema: a.schema,
      fetch: a.fetch,
      clock: bClock,
      leaseMs: 1000,
      requestTimeoutMs: 500,
      workerId: 'B',
    });
    try {
      await a.sender.addEndpoint({ url: h.receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        a.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      const slow = a.sender.runOnce();
      await h.arrived(1);
      a.clock.advance(499); // the latest A can still be waiting, on B's clock: START + 998
      bClock.advance(499);
      expect(await b.runOnce()).toBe(0);
      a.clock.advance(1); // A gives up: a timeout, within its lease on every clock
      await slow;
      expect((await a.sender.listAttempts({ messageId: id }))[0]).toMatchObject({
        worker: 'A',
        errorCode: 'ERR_SENDER_TIMEOUT',
        leaseLost: false,
      });
      expect(h.most()).toBe(1);
    } finally {
      h.release();
      await b.stop();
      await a.close();
      await h.receiver.close();
    }
  });
});

describe('admin calls and enqueue misuse', () => {
  it('recover() on an unknown endpoint is ERR_SENDER_NOT_FOUND, like resend()', async () => {
    const f = await makeSender(db.pool);
    try {
      await expect(f.sender.recover('ep_nope', START)).rejects.toMatchObject({
        code: 'ERR_SENDER_NOT_FOUND',
      });
    } finally {
      await f.close();
    }
  });

  it('enqueue on the db.pool or on a client without BEGIN is refused and writes nothing', async () => {
    const f = await makeSender(db.pool);
    const client = await db.pool.connect();
    try {
      await f.sender.addEndpoint({ url: 'https://hooks.example/in', secretRef: 'hook' });
      for (const on of [db.pool, client]) {
        await expect(f.sender.enqueue(on, { type: 't', payload: 1 })).rejects.toMatchObject({
          code: 'ERR_INVALID_ARG_VALUE',
        });
      }
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${f.schema}".messages`);
      expect(rows[0].n).toBe(0);
    } finally {
      client.release();
      await f.close();
    }
  });

  it('a refused event leaves the caller transaction usable: the business write commits', async () => {
    const f = await makeSender(db.pool);
    try {
      await inTransaction(db.pool, async (c) => {
        await c.query("INSERT INTO orders (id) VALUES ('o-nul')");
        await expect(
          f.sender.enqueue(c, { type: 't', payload: 1, subject: 'a\u0000b' }),
        ).rejects.toThrow(TypeError);
        await f.sender.enqueue(c, { type: 't', payload: 1, subject: 'ab' });
      });
      const { rows } = await db.pool.query("SELECT id FROM orders WHERE id = 'o-nul'");
      expect(rows).toHaveLength(1);
    } finally {
      await f.close();
    }
  });
});
