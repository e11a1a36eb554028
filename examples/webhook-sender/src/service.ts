// The sending service: orders are written in a transaction that also enqueues `order.created` in
// the outbox, so a webhook goes out if and only if the order committed. A worker (the same
// process here; any number of processes in production) delivers through egress.
import type { Clock } from '@portcullis/core';
import { createSecretsCache, MemoryProvider, type SecretsCache } from '@portcullis/secrets';
import {
  createWebhookSender,
  type EndpointDisabledEvent,
  type WebhookSender,
  type WebhookSenderOptions,
} from '@portcullis/webhook-sender';
import pg from 'pg';

export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

export interface OrderService {
  readonly pool: pg.Pool;
  readonly sender: WebhookSender;
  readonly disabled: EndpointDisabledEvent[];
  /** Writes an order and enqueues its event in one transaction; `fail` rolls both back. */
  placeOrder(orderId: string, options?: { fail?: boolean }): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createOrderService(options: {
  databaseUrl: string;
  schema?: string;
  fetch?: WebhookSenderOptions['fetch'];
  clock?: Clock;
  schedule?: readonly number[];
  /** Seals outbox payloads at rest (e.g. an `@portcullis/envelope` envelope). */
  payloadCipher?: WebhookSenderOptions['payloadCipher'];
}): Promise<OrderService> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 8 });
  pool.on('error', () => {});
  const secrets: SecretsCache = createSecretsCache(
    new MemoryProvider({ secrets: { 'customer-hook': WEBHOOK_SECRET } }),
  );
  const disabled: EndpointDisabledEvent[] = [];
  const sender = createWebhookSender({
    pool,
    secrets,
    schema: options.schema ?? 'webhook_sender',
    pollIntervalMs: 50,
    onEndpointDisabled: (event) => disabled.push(event),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.schedule ? { schedule: options.schedule } : {}),
    ...(options.payloadCipher ? { payloadCipher: options.payloadCipher } : {}),
  });
  await sender.migrate();
  await pool.query(
    'CREATE TABLE IF NOT EXISTS orders (id text PRIMARY KEY, created_at timestamptz)',
  );
  return {
    pool,
    sender,
    disabled,
    async placeOrder(orderId, { fail = false } = {}) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO orders VALUES ($1, now())', [orderId]);
        const { id } = await sender.enqueue(client, {
          type: 'order.created',
          payload: { type: 'order.created', data: { orderId } },
        });
        if (fail) throw new Error('payment declined');
        await client.query('COMMIT');
        return id;
      } catch {
        await client.query('ROLLBACK');
        return undefined;
      } finally {
        client.release();
      }
    },
    async close() {
      await sender.stop();
      await secrets.close();
      await pool.end();
    },
  };
}
