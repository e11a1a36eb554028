// Defects found by an attacker's review, each pinned before its fix (no sockets: fake pool/client).
import { inspect } from 'node:util';
import { ManualClock } from '@portcullis/core';
import { createWebhookSender, isWebhookSenderError } from '@portcullis/webhook-sender';
import { describe, expect, it } from 'vitest';

const pool = {
  query: async () => {
    throw new Error('no database in unit tests');
  },
  connect: async () => {
    throw new Error('no database in unit tests');
  },
};
const secrets = { activeSecrets: () => () => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

function recordingClient() {
  const calls: unknown[] = [];
  return {
    calls,
    query: async (...args: unknown[]) => {
      calls.push(args);
      return { rows: [{ inserted: 1, deliveries: 1 }], rowCount: 1 };
    },
  };
}

describe('a request that can outlast its lease is refused at construction', () => {
  it('requestTimeoutMs >= leaseMs: another worker would take the lease over mid-request', () => {
    for (const timing of [
      { requestTimeoutMs: 60_000, leaseMs: 60_000 },
      { requestTimeoutMs: 120_000 }, // over the default lease
      { requestTimeoutMs: 15_000, leaseMs: 10_000 },
    ]) {
      expect(() => createWebhookSender({ pool, secrets, ...timing })).toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARG_VALUE',
          message: expect.stringContaining('options.requestTimeoutMs'),
        }),
      );
    }
    expect(() =>
      createWebhookSender({ pool, secrets, requestTimeoutMs: 500, leaseMs: 1000 }),
    ).not.toThrow();
  });
});

describe('enqueue never lets PostgreSQL abort the caller transaction on a bad value', () => {
  it('a NUL character in type, subject or endpointIds is a TypeError before any query', async () => {
    const sender = createWebhookSender({ pool, secrets });
    const client = recordingClient();
    for (const event of [
      { type: 'a\u0000b', payload: 1 },
      { type: 't', payload: 1, subject: 'user\u0000' },
      { type: 't', payload: 1, endpointIds: ['ep\u0000'] },
    ]) {
      await expect(sender.enqueue(client, event)).rejects.toThrow(TypeError);
    }
    expect(client.calls).toEqual([]);
  });

  it('a payload cipher that throws: a typed error without its cause, nothing written', async () => {
    const sender = createWebhookSender({
      pool,
      secrets,
      payloadCipher: {
        seal: async () => {
          throw new Error('kms said: key arn:aws:kms:secret-key-material');
        },
        open: async (b) => b,
      },
    });
    const client = recordingClient();
    const error = await sender.enqueue(client, { type: 't', payload: 1 }).catch((e) => e);
    expect(isWebhookSenderError(error, 'ERR_SENDER_PAYLOAD_SEAL_FAILED')).toBe(true);
    expect(inspect(error, { depth: Number.POSITIVE_INFINITY })).not.toContain('secret-key');
    expect(client.calls).toEqual([]);
  });

  it('a client outside a transaction (autocommit) is refused, not silently committed', async () => {
    const sender = createWebhookSender({ pool, secrets });
    // pg's client keeps the protocol's transaction status ('I' idle, 'T' in a transaction).
    const idle = Object.assign(recordingClient(), { _txStatus: 'I' });
    for (const client of [idle, pool]) {
      await expect(sender.enqueue(client, { type: 't', payload: 1 })).rejects.toThrow(
        expect.objectContaining({
          code: 'ERR_INVALID_ARG_VALUE',
          message: expect.stringMatching(/transaction/),
        }),
      );
    }
    expect(idle.calls).toEqual([]);
    const open = Object.assign(recordingClient(), { _txStatus: 'T' });
    await expect(sender.enqueue(open, { type: 't', payload: 1 })).resolves.toMatchObject({
      deliveries: 1,
    });
  });
});

/** A pool whose claim returns one due delivery; every other statement "succeeds". */
function claimingPool(sealed: boolean) {
  const queries: [string, unknown[]][] = [];
  const claimed = {
    message_id: 'msg_1',
    endpoint_id: 'ep',
    attempts: 1,
    lease_owner: 'w:1',
    event_type: 't',
    payload: Buffer.from('sealed'),
    sealed,
    subject: null,
    url: 'https://hooks.example/in',
    secret_ref: 'hook',
    schedule_ms: null,
    rate_per_sec: null,
    max_concurrency: null,
  };
  const fakePool = {
    query: async (text: string, values: unknown[] = []) => {
      queries.push([text, values]);
      if (text.includes('SKIP LOCKED')) return { rows: [claimed], rowCount: 1 };
      return { rows: [{ lease_lost: false, status: 'pending' }], rowCount: 1 };
    },
    connect: pool.connect,
  };
  return { queries, fakePool };
}

const completion = (queries: [string, unknown[]][]) =>
  queries.find(([text]) => text.includes('INSERT INTO "webhook_sender".attempts'))?.[1];

describe('a hung payload cipher cannot make a send outlive its lease', () => {
  it('open() that never answers: no request, the attempt ends within leaseMs - requestTimeoutMs', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const { queries, fakePool } = claimingPool(true);
    const fetched: unknown[] = [];
    const sender = createWebhookSender({
      pool: fakePool,
      secrets,
      clock,
      leaseMs: 60_000,
      requestTimeoutMs: 15_000,
      fetch: async (...args) => {
        fetched.push(args);
        return new Response(null, { status: 204 });
      },
      payloadCipher: { seal: async (b) => b, open: () => new Promise<never>(() => {}) },
    });
    const run = sender.runOnce();
    await new Promise((r) => setImmediate(r));
    clock.advance(45_000); // the latest moment a request of 15 s still ends inside a 60 s lease
    expect(await run).toBe(1);
    expect(fetched).toEqual([]);
    const complete = queries.find(([text]) =>
      text.includes('INSERT INTO "webhook_sender".attempts'),
    );
    expect(complete?.[1][7]).toBe('ERR_SENDER_PREPARE_TIMEOUT');
    expect(complete?.[1][3]).toBe('pending'); // retried on the schedule, not final
  });
});

describe('a secrets source that throws is an attempt failure, not a silent loop', () => {
  it('activeSecrets() throwing: the attempt is recorded as ERR_SENDER_SECRET_UNAVAILABLE', async () => {
    const { queries, fakePool } = claimingPool(false);
    const fetched: unknown[] = [];
    const sender = createWebhookSender({
      pool: fakePool,
      secrets: {
        activeSecrets: () => {
          throw new Error('vault is down');
        },
      },
      fetch: async (...args) => {
        fetched.push(args);
        return new Response(null, { status: 204 });
      },
    });
    expect(await sender.runOnce()).toBe(1);
    expect(fetched).toEqual([]);
    expect(completion(queries)?.[7]).toBe('ERR_SENDER_SECRET_UNAVAILABLE');
    expect(completion(queries)?.[3]).toBe('pending');
  });
});
