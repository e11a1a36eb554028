import { fileURLToPath } from 'node:url';
import {
  createWebhookSender,
  DEFAULTS,
  isWebhookSenderError,
  migrationSql,
  WebhookSenderError,
} from '@portcullis/webhook-sender';
import { isWebhookError } from '@portcullis/webhooks';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const README = fileURLToPath(new URL('../README.md', import.meta.url));

/** A pool that must never be used: these tests open no sockets. */
const pool = {
  query: async () => {
    throw new Error('no database in unit tests');
  },
  connect: async () => {
    throw new Error('no database in unit tests');
  },
};
const secrets = { activeSecrets: () => () => 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };

describe('options', () => {
  it('the README defaults table matches DEFAULTS', () => {
    expect(defaultsMismatches(README, DEFAULTS)).toEqual([]);
  });

  it('DEFAULTS is frozen and holds the Svix schedule', () => {
    expect(Object.isFrozen(DEFAULTS)).toBe(true);
    expect(DEFAULTS.schedule).toEqual([
      0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
    ]);
  });

  it('refuses a missing pool, a wrong type, a value out of range and an unknown key', () => {
    expect(() => createWebhookSender({ secrets } as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }),
    );
    expect(() => createWebhookSender({ pool, secrets, leaseMs: '60s' as never })).toThrow(
      TypeError,
    );
    expect(() => createWebhookSender({ pool, secrets, requestTimeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createWebhookSender({ pool, secrets, jitter: Number.NaN })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createWebhookSender({ pool, secrets, schedule: [] })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }),
    );
    expect(() => createWebhookSender({ pool, secrets, schedule: [0, -5] })).toThrow(TypeError);
    expect(() => createWebhookSender({ pool, secrets, leaseMillis: 5 } as never)).toThrow(
      /did you mean "leaseMs"/i,
    );
    expect(() =>
      createWebhookSender({ pool, secrets, payloadCipher: { seal: () => 1 } as never }),
    ).toThrow(TypeError);
  });

  it('a schema name is an identifier or a TypeError: nothing else reaches SQL (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 70 }), async (schema) => {
        const valid = /^[a-z_][a-z0-9_]{0,62}$/.test(schema);
        let sql: string | undefined;
        try {
          sql = await migrationSql({ schema });
        } catch (error) {
          expect(error).toBeInstanceOf(TypeError);
          expect((error as { code: string }).code).toMatch(/^ERR_INVALID_ARG_/);
        }
        expect(sql !== undefined).toBe(valid);
        if (sql !== undefined) {
          expect(sql).toContain(`CREATE SCHEMA IF NOT EXISTS "${schema}";`);
          expect(sql).not.toMatch(/\bwebhook_sender\./);
        }
      }),
      { numRuns: 200 },
    );
    expect(() => createWebhookSender({ pool, secrets, schema: 'x"; DROP TABLE t; --' })).toThrow(
      TypeError,
    );
  });
});

describe('errors', () => {
  it('have stable codes and statuses, and do not pass for webhook verifier errors', () => {
    const error = new WebhookSenderError('ERR_SENDER_PAYLOAD_TOO_LARGE', 'too large');
    expect(error.status).toBe(413);
    expect(isWebhookSenderError(error)).toBe(true);
    expect(isWebhookSenderError(error, 'ERR_SENDER_NOT_FOUND')).toBe(false);
    expect(isWebhookError(error)).toBe(false);
    expect(error.toJSON()).toEqual({
      name: 'WebhookSenderError',
      code: 'ERR_SENDER_PAYLOAD_TOO_LARGE',
      message: 'too large',
      status: 413,
    });
  });
});

describe('enqueue refuses before writing', () => {
  it('a payload over the cap, a bad id, an unknown key: nothing is sent to the client', async () => {
    const sender = createWebhookSender({ pool, secrets, maxPayloadBytes: 10 });
    const calls: unknown[] = [];
    const client = {
      query: async (...args: unknown[]) => {
        calls.push(args);
        return { rows: [], rowCount: 1 };
      },
    };
    await expect(sender.enqueue(client, { type: 't', payload: 'x'.repeat(11) })).rejects.toSatisfy(
      (e) => isWebhookSenderError(e, 'ERR_SENDER_PAYLOAD_TOO_LARGE'),
    );
    await expect(sender.enqueue(client, { type: 't', payload: 1, id: 'evt_1' })).rejects.toThrow(
      TypeError,
    );
    await expect(
      sender.enqueue(client, { type: 't', payload: 1, tyep: 'x' } as never),
    ).rejects.toThrow(TypeError);
    await expect(sender.enqueue(client, { type: '', payload: 1 })).rejects.toThrow(TypeError);
    await expect(sender.enqueue({} as never, { type: 't', payload: 1 })).rejects.toThrow(TypeError);
    expect(calls).toEqual([]);
  });

  it('writes the message and its deliveries on the caller client in one statement, with parameters only', async () => {
    const sender = createWebhookSender({ pool, secrets });
    const calls: [string, unknown[]][] = [];
    const client = {
      query: async (text: string, values: unknown[]) => {
        calls.push([text, values]);
        return { rows: [{ inserted: 1, deliveries: 2 }], rowCount: 1 };
      },
    };
    const result = await sender.enqueue(client, { type: 'a.b', payload: { "it's": '$1' } });
    expect(result).toEqual({ id: expect.stringMatching(/^msg_/), deliveries: 2, large: false });
    expect(calls).toHaveLength(1);
    for (const [text] of calls) expect(text).not.toContain("it's");
    expect(Buffer.from(calls[0]?.[1][2] as Buffer).toString()).toBe('{"it\'s":"$1"}');
  });
});
