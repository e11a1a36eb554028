// Endpoint health, egress refusal, the breaker, replay, lease-guarded completion and the payload
// cipher, on a real PostgreSQL with a ManualClock.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ManualClock } from '@portcullis/core';
import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
import {
  createWebhookSender,
  type EndpointDisabledEvent,
  type ExhaustedEvent,
  type PayloadCipher,
} from '@portcullis/webhook-sender';
import { describe, expect, it } from 'vitest';
import { inTransaction, makeSender, SECRET, START, startReceiver, usePostgres } from './support.ts';

const DAY = 86_400_000;

const db = usePostgres();

describe('endpoint health', () => {
  it('410 Gone disables the endpoint at once and says since when it failed', async () => {
    const receiver = await startReceiver((n) => ({ status: n === 0 ? 500 : 410 }));
    const disabled: EndpointDisabledEvent[] = [];
    const f = await makeSender(db.pool, { onEndpointDisabled: (e) => disabled.push(e) });
    try {
      await f.sender.addEndpoint({ id: 'gone', url: receiver.url, secretRef: 'hook' });
      const a = await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: 1 }));
      await f.sender.runOnce(); // 500: failing since START
      f.clock.advance(5_000);
      await f.sender.runOnce(); // 410
      expect(disabled).toEqual([
        { endpointId: 'gone', reason: 'gone', failingSince: START, disabledAt: START + 5_000 },
      ]);
      const endpoint = await f.sender.getEndpoint('gone');
      expect(endpoint).toMatchObject({
        disabledAt: START + 5_000,
        disabledReason: 'gone',
        failingSince: START,
      });
      // Nothing more goes to it, and new events are not fanned out to it.
      const b = await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: 2 }));
      expect(b.deliveries).toBe(0);
      f.clock.advance(DAY);
      expect(await f.sender.runOnce()).toBe(0);
      expect(receiver.requests).toHaveLength(2);
      // Enabled again, the waiting delivery resumes.
      receiver.script = () => ({ status: 200 });
      await f.sender.enableEndpoint('gone');
      expect(await f.sender.runOnce()).toBe(1);
      expect((await f.sender.listDeliveries(a.id))[0]?.status).toBe('succeeded');
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('no success for 5 days disables the endpoint (on the clock)', async () => {
    const receiver = await startReceiver(() => ({ status: 503 }));
    const disabled: EndpointDisabledEvent[] = [];
    const f = await makeSender(db.pool, { onEndpointDisabled: (e) => disabled.push(e) });
    try {
      await f.sender.addEndpoint({
        id: 'flaky',
        url: receiver.url,
        secretRef: 'hook',
        schedule: [0],
      });
      for (let day = 0; day < 5; day++) {
        await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: day }));
        await f.sender.runOnce();
        expect(disabled).toEqual([]);
        f.clock.advance(DAY - 1);
      }
      await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: 'late' }));
      await f.sender.runOnce(); // 5 ms short of 5 days since the first failure
      expect(disabled).toEqual([]);
      f.clock.advance(30_000); // past 5 days (and past the breaker's cooldown)
      await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: 'later' }));
      await f.sender.runOnce();
      expect(disabled).toEqual([
        { endpointId: 'flaky', reason: 'failing', failingSince: START, disabledAt: f.clock.now() },
      ]);
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('a success resets the failure record', async () => {
    const receiver = await startReceiver((n) => ({ status: n % 2 === 0 ? 500 : 200 }));
    const f = await makeSender(db.pool, { schedule: [0, 1000] });
    try {
      await f.sender.addEndpoint({ id: 'ok', url: receiver.url, secretRef: 'hook' });
      await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: 1 }));
      await f.sender.runOnce();
      expect((await f.sender.getEndpoint('ok')).failingSince).toBe(START);
      f.clock.advance(1000);
      await f.sender.runOnce();
      expect(await f.sender.getEndpoint('ok')).toMatchObject({
        failingSince: undefined,
        lastSuccessAt: START + 1000,
      });
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});

describe('untrusted URLs through the default egress fetch', () => {
  it('a private or metadata address is refused before any connection, and retried by schedule', async () => {
    const secrets = createSecretsCache(new MemoryProvider({ secrets: { hook: SECRET } }));
    const fixture = await makeSender(db.pool); // for its schema
    const sender = createWebhookSender({
      pool: db.pool,
      secrets,
      schema: fixture.schema,
      clock: fixture.clock,
      random: () => 0.5,
    });
    try {
      await sender.addEndpoint({
        id: 'meta',
        url: 'https://169.254.169.254/latest/meta-data',
        secretRef: 'hook',
      });
      await sender.addEndpoint({ id: 'private', url: 'https://10.0.0.7/hooks', secretRef: 'hook' });
      await sender.addEndpoint({ id: 'loop', url: 'https://127.0.0.1:1/hooks', secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        sender.enqueue(c, { type: 't', payload: 1 }),
      );
      expect(await sender.runOnce()).toBe(3);
      const states = await sender.listDeliveries(id);
      expect(states.map((s) => [s.endpointId, s.status, s.lastError, s.lastStatus])).toEqual([
        ['loop', 'pending', 'ERR_SENDER_REFUSED', undefined],
        ['meta', 'pending', 'ERR_SENDER_REFUSED', undefined],
        ['private', 'pending', 'ERR_SENDER_REFUSED', undefined],
      ]);
    } finally {
      await sender.stop();
      await secrets.close();
      await fixture.close();
    }
  });
});

describe('one dead receiver does not take the workers', () => {
  it('the breaker opens after 5 failures and keeps that endpoint out of claims; others flow', async () => {
    const dead = await startReceiver(() => ({ status: 500 }));
    const alive = await startReceiver();
    const f = await makeSender(db.pool, { schedule: [0, 0, 0, 0, 0, 0, 0, 0] });
    try {
      await f.sender.addEndpoint({
        id: 'dead',
        url: dead.url,
        secretRef: 'hook',
        eventTypes: ['d'],
      });
      await f.sender.addEndpoint({
        id: 'alive',
        url: alive.url,
        secretRef: 'hook',
        eventTypes: ['a'],
      });
      await inTransaction(db.pool, async (c) => {
        for (let i = 0; i < 3; i++) await f.sender.enqueue(c, { type: 'd', payload: i });
      });
      for (let i = 0; i < 4; i++) await f.sender.runOnce();
      const before = dead.requests.length;
      expect(before).toBeGreaterThanOrEqual(5);
      await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 'a', payload: 'x' }));
      for (let i = 0; i < 3; i++) await f.sender.runOnce();
      expect(dead.requests.length).toBe(before); // open: not claimed
      expect(alive.requests).toHaveLength(1);
      f.clock.advance(30_000); // cooldown over: half-open, tried again
      await f.sender.runOnce();
      expect(dead.requests.length).toBeGreaterThan(before);
    } finally {
      await f.close();
      await dead.close();
      await alive.close();
    }
  });
});

describe('per-endpoint rate limit', () => {
  it('ratePerSec 1: one request now, the rest deferred a second at a time (on the clock)', async () => {
    const receiver = await startReceiver();
    const f = await makeSender(db.pool);
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook', ratePerSec: 1 });
      await inTransaction(db.pool, async (c) => {
        for (let i = 0; i < 3; i++) await f.sender.enqueue(c, { type: 't', payload: i });
      });
      expect(await f.sender.runOnce()).toBe(3); // three claimed, two handed back
      expect(receiver.requests).toHaveLength(1);
      expect(await f.sender.runOnce()).toBe(0); // deferred, not due yet
      f.clock.advance(1000);
      await f.sender.runOnce();
      expect(receiver.requests).toHaveLength(2);
      f.clock.advance(1000);
      await f.sender.runOnce();
      expect(receiver.requests).toHaveLength(3);
      const attempts = await f.sender.listAttempts({});
      expect(attempts.every((a) => a.attempt === 1)).toBe(true); // a deferral is not an attempt
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});

describe('dead letters and replay', () => {
  it('resend() and recover() bring exhausted deliveries back; listAttempts shows status and latency', async () => {
    const receiver = await startReceiver(() => ({ status: 500 }));
    const exhausted: ExhaustedEvent[] = [];
    const f = await makeSender(db.pool, { schedule: [0], onExhausted: (e) => exhausted.push(e) });
    try {
      await f.sender.addEndpoint({ id: 'e', url: receiver.url, secretRef: 'hook' });
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(
          (await inTransaction(db.pool, (c) => f.sender.enqueue(c, { type: 't', payload: i }))).id,
        );
        f.clock.advance(1000);
      }
      await f.sender.runOnce();
      expect(exhausted.map((e) => e.messageId).sort()).toEqual([...ids].sort());
      receiver.script = () => ({ status: 200 });
      expect(await f.sender.resend(ids[0] as string)).toBe(1);
      expect(await f.sender.recover('e', START + 1000)).toBe(2); // messages created since then
      expect(await f.sender.runOnce()).toBe(3);
      for (const id of ids)
        expect((await f.sender.listDeliveries(id))[0]?.status).toBe('succeeded');
      const attempts = await f.sender.listAttempts({ endpointId: 'e' });
      expect(attempts).toHaveLength(6);
      expect(
        attempts.filter((a) => a.outcome === 'succeeded').every((a) => a.httpStatus === 200),
      ).toBe(true);
      expect(JSON.stringify(attempts)).not.toContain('payload');
      await expect(f.sender.resend('msg_nope')).rejects.toMatchObject({
        code: 'ERR_SENDER_NOT_FOUND',
      });
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});

describe('lease-guarded completion', () => {
  it('a worker whose lease expired does not overwrite the newer attempt', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const receiver = await startReceiver(async (n) => {
      if (n === 0) {
        await held;
        return { status: 500 };
      }
      return { status: 200 };
    });
    // A request ends within its lease (requestTimeoutMs < leaseMs), so only a worker whose clock is
    // ahead by more than leaseMs - requestTimeoutMs takes a lease over mid-request: B, here.
    const a = await makeSender(db.pool, { leaseMs: 1000, requestTimeoutMs: 500, workerId: 'A' });
    const bClock = new ManualClock(START);
    try {
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
      await a.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        a.sender.enqueue(c, { type: 't', payload: 1 }),
      );
      const slow = a.sender.runOnce(); // A claims, the receiver holds its request
      while (receiver.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
      expect(await b.runOnce()).toBe(0); // leased to A
      bClock.advance(1000); // A's lease is over on B's clock (1000 ms ahead of A's)
      expect(await b.runOnce()).toBe(1); // B takes it over and succeeds
      release();
      await slow; // A's late 500 comes back
      const [state] = await a.sender.listDeliveries(id);
      expect(state).toMatchObject({ status: 'succeeded', attempts: 2, lastStatus: 200 });
      const attempts = await a.sender.listAttempts({ messageId: id });
      expect(attempts.map((x) => [x.worker, x.attempt, x.outcome, x.leaseLost]).sort()).toEqual([
        ['A', 1, 'failed', true],
        ['B', 2, 'succeeded', false],
      ]);
    } finally {
      release();
      await a.close();
      await receiver.close();
    }
  });
});

/** A tiny AES-256-GCM cipher with the context as additional data; `shred()` drops the key. */
function testCipher(): PayloadCipher & { shred(): void; contexts: Record<string, string>[] } {
  let key: Buffer | undefined = randomBytes(32);
  const contexts: Record<string, string>[] = [];
  const aad = (context: Readonly<Record<string, string>>) =>
    Buffer.from(JSON.stringify(Object.entries(context).sort()));
  return {
    contexts,
    shred: () => {
      key = undefined;
    },
    async seal(plaintext, context) {
      contexts.push({ ...context });
      if (key === undefined) throw new Error('no key');
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(context));
      const body = Buffer.concat([c.update(plaintext), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    async open(sealed, context) {
      contexts.push({ ...context });
      if (key === undefined) throw new Error('key shredded');
      const buf = Buffer.from(sealed);
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12)).setAAD(aad(context));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]);
    },
  };
}

describe('payload cipher', () => {
  it('stores the payload sealed, bound to its context, and delivers the plaintext', async () => {
    const receiver = await startReceiver();
    const cipher = testCipher();
    const f = await makeSender(db.pool, { payloadCipher: cipher });
    try {
      await f.sender.addEndpoint({ url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, {
          type: 'user.updated',
          payload: { email: 'ada@example.com' },
          subject: 'user_42',
        }),
      );
      const { rows } = await db.pool.query(`SELECT payload, sealed FROM "${f.schema}".messages`);
      expect(rows[0].sealed).toBe(true);
      expect(Buffer.from(rows[0].payload).toString('latin1')).not.toContain('ada@');
      await f.sender.runOnce();
      expect(receiver.requests[0]?.body).toBe('{"email":"ada@example.com"}');
      const expected = {
        purpose: 'webhook-outbox',
        messageId: id,
        eventType: 'user.updated',
        subject: 'user_42',
      };
      expect(cipher.contexts).toEqual([expected, expected]);
    } finally {
      await f.close();
      await receiver.close();
    }
  });

  it('a payload whose key was shredded ends as a reported failure, with no request and no retry loop', async () => {
    const receiver = await startReceiver();
    const cipher = testCipher();
    const exhausted: ExhaustedEvent[] = [];
    const f = await makeSender(db.pool, {
      payloadCipher: cipher,
      onExhausted: (e) => exhausted.push(e),
    });
    try {
      await f.sender.addEndpoint({ id: 'e', url: receiver.url, secretRef: 'hook' });
      const { id } = await inTransaction(db.pool, (c) =>
        f.sender.enqueue(c, { type: 't', payload: 1, subject: 's' }),
      );
      cipher.shred();
      expect(await f.sender.runOnce()).toBe(1);
      f.clock.advance(DAY);
      expect(await f.sender.runOnce()).toBe(0);
      expect(receiver.requests).toHaveLength(0);
      expect(exhausted).toEqual([
        {
          messageId: id,
          endpointId: 'e',
          eventType: 't',
          attempts: 1,
          errorCode: 'ERR_SENDER_PAYLOAD_UNREADABLE',
          lastStatus: undefined,
        },
      ]);
      // Not the receiver's fault: its health is untouched.
      expect((await f.sender.getEndpoint('e')).failingSince).toBeUndefined();
    } finally {
      await f.close();
      await receiver.close();
    }
  });
});
