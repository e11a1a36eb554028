import { invalidArgument } from '@portcullis/core';
import { WebhookSenderError } from '../errors/WebhookSenderError.ts';
import type { ResolvedOptions } from '../internal/options.ts';
import type { Statements } from '../internal/sql.ts';
import type { DeliveryAttempt, DeliveryState, ListAttemptsQuery } from '../options.ts';

function str(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw invalidArgument(path, 'a non-empty string');
  return value;
}

const num = (v: unknown): number | undefined =>
  v === null || v === undefined ? undefined : Number(v);
const text = (v: unknown): string | undefined =>
  v === null || v === undefined ? undefined : String(v);

/**
 * Sends a message again now, with a fresh schedule: to one endpoint (which need not have had it),
 * or to every endpoint it was for. Returns the deliveries rescheduled.
 */
export async function resend(
  o: ResolvedOptions,
  sql: Statements,
  messageId: string,
  endpointId?: string,
): Promise<number> {
  str(messageId, 'messageId');
  const now = new Date(o.clock.now());
  const { rows } = await o.pool.query(sql.messageExists, [messageId]);
  if (rows.length === 0) throw new WebhookSenderError('ERR_SENDER_NOT_FOUND', 'No such message.');
  if (endpointId === undefined) {
    return (await o.pool.query(sql.resendAll, [messageId, now])).rowCount ?? 0;
  }
  str(endpointId, 'endpointId');
  const done = await o.pool.query(sql.resendOne, [messageId, endpointId, now]);
  if (done.rowCount === 0)
    throw new WebhookSenderError('ERR_SENDER_NOT_FOUND', 'No such endpoint.');
  return done.rowCount ?? 0;
}

/** Reschedules every exhausted delivery to `endpointId` of a message created at or after `since`. */
export async function recover(
  o: ResolvedOptions,
  sql: Statements,
  endpointId: string,
  since: Date | number,
): Promise<number> {
  str(endpointId, 'endpointId');
  const at = since instanceof Date ? since.getTime() : since;
  if (typeof at !== 'number' || !Number.isFinite(at))
    throw invalidArgument('since', 'a Date or ms since the epoch');
  const now = new Date(o.clock.now());
  const { rows } = await o.pool.query(sql.getEndpoint, [endpointId]);
  if (rows.length === 0) throw new WebhookSenderError('ERR_SENDER_NOT_FOUND', 'No such endpoint.');
  return (await o.pool.query(sql.recover, [endpointId, new Date(at), now])).rowCount ?? 0;
}

/** Recorded attempts, newest first: status, latency, error code, never a payload. */
export async function listAttempts(
  o: ResolvedOptions,
  sql: Statements,
  query: ListAttemptsQuery = {},
): Promise<DeliveryAttempt[]> {
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw invalidArgument('query.limit', 'an integer between 1 and 10000', 'value');
  }
  const { rows } = await o.pool.query(sql.listAttempts, [
    query.messageId ?? null,
    query.endpointId ?? null,
    limit,
  ]);
  return rows.map((r) =>
    Object.freeze({
      messageId: r.message_id as string,
      endpointId: r.endpoint_id as string,
      attempt: Number(r.attempt),
      worker: r.worker as string,
      startedAt: (r.started_at as Date).getTime(),
      outcome: r.outcome as 'succeeded' | 'failed',
      httpStatus: num(r.http_status),
      latencyMs: Number(r.latency_ms),
      errorCode: text(r.error_code),
      leaseLost: r.lease_lost === true,
    }),
  );
}

/** Where each delivery of a message stands. */
export async function listDeliveries(
  o: ResolvedOptions,
  sql: Statements,
  messageId: string,
): Promise<DeliveryState[]> {
  str(messageId, 'messageId');
  const { rows } = await o.pool.query(sql.listDeliveries, [messageId]);
  return rows.map((r) =>
    Object.freeze({
      messageId: r.message_id as string,
      endpointId: r.endpoint_id as string,
      status: r.status as DeliveryState['status'],
      attempts: Number(r.attempts),
      nextAttemptAt: r.next_attempt_at instanceof Date ? r.next_attempt_at.getTime() : undefined,
      lastStatus: num(r.last_status),
      lastLatencyMs: num(r.last_latency_ms),
      lastError: text(r.last_error),
    }),
  );
}
