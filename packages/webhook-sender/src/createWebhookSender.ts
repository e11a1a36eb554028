import { isPortcullisError } from '@portcullis/core';
import { addEndpoint, getEndpoint } from './admin/endpoints.ts';
import { listAttempts, listDeliveries, recover, resend } from './admin/replay.ts';
import { WebhookSenderError } from './errors/WebhookSenderError.ts';
import { resolveSenderOptions } from './internal/options.ts';
import { statements } from './internal/sql.ts';
import { migrate } from './migrate.ts';
import type {
  DeliveryAttempt,
  DeliveryState,
  Endpoint,
  EndpointInput,
  EnqueueResult,
  ListAttemptsQuery,
  OutboundEvent,
  Queryable,
  WebhookSenderOptions,
} from './options.ts';
import { enqueueEvent } from './outbox/enqueue.ts';
import { disableEndpoint } from './worker/complete.ts';
import { DeliveryWorker } from './worker/DeliveryWorker.ts';

/** The outbox and its delivery worker. Made by {@link createWebhookSender}. */
export interface WebhookSender {
  /** This worker's id (in leases and attempts). */
  readonly workerId: string;
  /** Creates the tables in the configured schema (the shipped migration). Safe to run again. */
  migrate(): Promise<void>;
  /**
   * Writes `event` to the outbox on `client`, the caller's open transaction: delivered if and
   * only if it commits. `ERR_SENDER_PAYLOAD_TOO_LARGE` over `maxPayloadBytes`.
   */
  enqueue(client: Queryable, event: OutboundEvent): Promise<EnqueueResult>;
  /** Registers an endpoint (on `client` when given, for a transaction of yours). */
  addEndpoint(endpoint: EndpointInput, client?: Queryable): Promise<Endpoint>;
  /** Reads an endpoint and its health. */
  getEndpoint(endpointId: string): Promise<Endpoint>;
  /** Disables an endpoint by hand (`reason: 'manual'`); its pending deliveries wait. */
  disableEndpoint(endpointId: string): Promise<void>;
  /** Enables an endpoint again and clears its failure record; waiting deliveries resume. */
  enableEndpoint(endpointId: string): Promise<void>;
  /** Sends a message again now, to one endpoint or to all it was for. Returns the rows rescheduled. */
  resend(messageId: string, endpointId?: string): Promise<number>;
  /** Reschedules every exhausted delivery to an endpoint of messages created since `since`. */
  recover(endpointId: string, since: Date | number): Promise<number>;
  /** Recorded attempts (status, latency, error code), newest first. */
  listAttempts(query?: ListAttemptsQuery): Promise<DeliveryAttempt[]>;
  /** Where each delivery of a message stands. */
  listDeliveries(messageId: string): Promise<DeliveryState[]>;
  /** Claims one batch of due deliveries and delivers it. Resolves with how many were claimed. */
  runOnce(): Promise<number>;
  /** Delivers in the background until `stop()`: `concurrency` at once, polling when idle. */
  start(): void;
  /** Stops claiming, waits for the attempts in flight, closes the default fetch. */
  stop(): Promise<void>;
}

async function db<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isPortcullisError(error) || error instanceof TypeError) throw error;
    throw new WebhookSenderError('ERR_SENDER_DATABASE', 'A webhook outbox query failed.', {
      cause: error,
    });
  }
}

/**
 * Creates a webhook sender: a transactional outbox in PostgreSQL (`enqueue` in your transaction)
 * and a worker that claims due deliveries with leases (`FOR UPDATE SKIP LOCKED`), signs them
 * (Standard Webhooks by default, current + previous secret during a rotation), sends them through
 * an SSRF-safe fetch with redirects refused, and retries on a jittered schedule. Endpoints that
 * answer `410` or fail for `disableAfterMs` are disabled; exhausted deliveries are reported and can
 * be resent or recovered.
 *
 * @example
 * ```ts
 * import { createSecretsCache, MemoryProvider } from '@portcullis/secrets';
 * import { createWebhookSender } from '@portcullis/webhook-sender';
 * import pg from 'pg';
 *
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const secrets = createSecretsCache(
 *   new MemoryProvider({ secrets: { 'acme-hook': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } }),
 * );
 * const sender = createWebhookSender({ pool, secrets });
 * await sender.migrate();
 * await sender.addEndpoint({ url: 'https://hooks.acme.example/in', secretRef: 'acme-hook' });
 *
 * const client = await pool.connect();
 * try {
 *   await client.query('BEGIN');
 *   // … your business write on `client` …
 *   await sender.enqueue(client, { type: 'invoice.paid', payload: { invoice: 'in_1' } });
 *   await client.query('COMMIT');
 * } finally {
 *   client.release();
 * }
 * sender.start(); // later: await sender.stop()
 * ```
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const o = resolveSenderOptions(options);
  const sql = statements(o.schema);
  const worker = new DeliveryWorker(o, sql);
  let stopped = false;
  const setDisabled = async (endpointId: string, disabled: boolean): Promise<void> => {
    const endpoint = await getEndpoint(o, sql, endpointId);
    if (disabled) await disableEndpoint(o, sql, endpoint.id, 'manual');
    else await o.pool.query(sql.enableEndpoint, [endpoint.id]);
  };
  return {
    workerId: worker.id,
    migrate: () => db(() => migrate(o.pool, { schema: o.schema })),
    enqueue: (client, event) => db(() => enqueueEvent(o, sql, client, event)),
    addEndpoint: (endpoint, client) => db(() => addEndpoint(o, sql, endpoint, client)),
    getEndpoint: (endpointId) => db(() => getEndpoint(o, sql, endpointId)),
    disableEndpoint: (endpointId) => db(() => setDisabled(endpointId, true)),
    enableEndpoint: (endpointId) => db(() => setDisabled(endpointId, false)),
    resend: (messageId, endpointId) => db(() => resend(o, sql, messageId, endpointId)),
    recover: (endpointId, since) => db(() => recover(o, sql, endpointId, since)),
    listAttempts: (query) => db(() => listAttempts(o, sql, query)),
    listDeliveries: (messageId) => db(() => listDeliveries(o, sql, messageId)),
    runOnce: () => {
      if (stopped)
        return Promise.reject(
          new WebhookSenderError('ERR_SENDER_STOPPED', 'The sender was stopped.'),
        );
      return worker.runOnce();
    },
    start: () => {
      stopped = false;
      worker.start();
    },
    stop: () => {
      stopped = true;
      return worker.stop();
    },
  };
}
