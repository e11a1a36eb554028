import type { ResolvedOptions } from '../internal/options.ts';
import type { Statements } from '../internal/sql.ts';
import type { EndpointDisabledEvent } from '../options.ts';
import { nextRetryDelayMs } from '../schedule.ts';
import type { AttemptResult, ClaimedDelivery } from './attempt.ts';

/** `lastSuccessAt` is kept to this resolution (a busy endpoint's row is not written per message). */
const SUCCESS_RESOLUTION_MS = 1000;

/** Failures that are the receiver's: they count against its health and its breaker. */
export const RECEIVER_FAILURES: ReadonlySet<string> = new Set([
  'ERR_SENDER_HTTP_STATUS',
  'ERR_SENDER_REDIRECT',
  'ERR_SENDER_ENDPOINT_GONE',
  'ERR_SENDER_TIMEOUT',
  'ERR_SENDER_NETWORK',
  'ERR_SENDER_REFUSED',
]);

function safely(fn: (() => void) | undefined): void {
  try {
    fn?.();
  } catch {
    // a hook's failure must not stop delivery
  }
}

/** Disables an endpoint once (the first caller wins) and reports it. */
export async function disableEndpoint(
  o: ResolvedOptions,
  sql: Statements,
  endpointId: string,
  reason: EndpointDisabledEvent['reason'],
): Promise<boolean> {
  const now = o.clock.now();
  const { rows } = await o.pool.query(sql.disableEndpoint, [endpointId, new Date(now), reason]);
  const row = rows[0];
  if (row === undefined) return false;
  const since = row.failing_since instanceof Date ? row.failing_since.getTime() : undefined;
  o.telemetry.count('webhook_sender.endpoint_disabled', 1, { reason });
  const event: EndpointDisabledEvent = Object.freeze({
    endpointId,
    reason,
    failingSince: since,
    disabledAt: now,
  });
  safely(o.onEndpointDisabled && (() => o.onEndpointDisabled?.(event)));
  return true;
}

/**
 * Records an attempt's result, guarded by the claim token: a worker whose lease was taken over
 * records its attempt as `lease_lost` and changes nothing else. Returns whether the lease held.
 */
export async function completeDelivery(
  o: ResolvedOptions,
  sql: Statements,
  workerId: string,
  row: ClaimedDelivery,
  result: AttemptResult,
  startedAt: number,
): Promise<boolean> {
  const now = o.clock.now();
  let status: 'succeeded' | 'pending' | 'exhausted' = 'succeeded';
  let next: Date | null = null;
  if (!result.ok) {
    const delay = result.final
      ? undefined
      : nextRetryDelayMs({
          schedule: row.schedule ?? o.schedule,
          attempts: row.attempt,
          jitter: o.jitter,
          throttled: result.throttled,
          throttleBackoffMs: o.throttleBackoffMs,
          retryAfterMs: result.retryAfterMs,
          random: o.random,
        });
    if (delay === undefined) status = 'exhausted';
    else {
      status = 'pending';
      next = new Date(now + delay);
    }
  }
  const { rows } = await o.pool.query(sql.complete, [
    row.messageId,
    row.endpointId,
    row.lease,
    status,
    next,
    result.status ?? null,
    result.latencyMs,
    result.errorCode ?? null,
    new Date(now),
    row.attempt,
    workerId,
    new Date(startedAt),
    result.ok ? 'succeeded' : 'failed',
  ]);
  const leaseLost = rows[0]?.lease_lost === true;
  if (rows[0]?.status === 'pending') status = 'pending'; // resent during the attempt
  const attributes = {
    outcome: result.ok ? 'succeeded' : 'failed',
    code: result.errorCode ?? 'none',
  };
  o.telemetry.count('webhook_sender.attempts', 1, attributes);
  o.telemetry.record('webhook_sender.latency_ms', result.latencyMs, {
    outcome: attributes.outcome,
  });
  if (leaseLost) {
    o.telemetry.count('webhook_sender.lease_lost', 1);
    return false;
  }
  if (result.ok) {
    await o.pool.query(sql.endpointSucceeded, [
      row.endpointId,
      new Date(now),
      new Date(now - SUCCESS_RESOLUTION_MS),
    ]);
  } else if (result.errorCode !== undefined && RECEIVER_FAILURES.has(result.errorCode)) {
    const failed = await o.pool.query(sql.endpointFailed, [row.endpointId, new Date(now)]);
    const since = failed.rows[0]?.failing_since;
    if (result.errorCode === 'ERR_SENDER_ENDPOINT_GONE') {
      await disableEndpoint(o, sql, row.endpointId, 'gone');
    } else if (since instanceof Date && now - since.getTime() >= o.disableAfterMs) {
      await disableEndpoint(o, sql, row.endpointId, 'failing');
    }
  }
  if (status === 'exhausted') {
    o.telemetry.count('webhook_sender.exhausted', 1, { code: result.errorCode ?? 'none' });
    const event = Object.freeze({
      messageId: row.messageId,
      endpointId: row.endpointId,
      eventType: row.eventType,
      attempts: row.attempt,
      errorCode: result.errorCode ?? 'ERR_SENDER_HTTP_STATUS',
      lastStatus: result.status,
    });
    safely(o.onExhausted && (() => o.onExhausted?.(event)));
  }
  return true;
}
