import { invalidArgument, isPortcullisError, resolveOptions, rules } from '@portcullis/core';
import { generateId } from '@portcullis/webhooks';
import { WebhookSenderError } from '../errors/WebhookSenderError.ts';
import type { ResolvedOptions } from '../internal/options.ts';
import type { Statements } from '../internal/sql.ts';
import type { EnqueueResult, OutboundEvent, Queryable } from '../options.ts';
import { cipherContext } from '../worker/attempt.ts';

const MESSAGE_ID = /^msg_[A-Za-z0-9_-]{1,250}$/;

function payloadBytes(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return new TextEncoder().encode(value);
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text === undefined) throw invalidArgument(path, 'a JSON value, a string or a Uint8Array');
  return new TextEncoder().encode(text);
}

// PostgreSQL refuses U+0000 in text; refusing it here keeps that error (which aborts the caller's
// transaction) from ever happening.
const NUL = '\u0000';

function text(value: unknown, path: string): string {
  const s = rules.string()(value, path);
  if (s.includes(NUL)) throw invalidArgument(path, 'a string without U+0000', 'value');
  return s;
}

function checkIds(value: unknown, path: string): readonly string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw invalidArgument(path, 'an array of endpoint ids');
  }
  if (value.some((v: string) => v.includes(NUL)))
    throw invalidArgument(path, 'endpoint ids without U+0000', 'value');
  return value as string[];
}

/**
 * Writes one event to the outbox on `client`, the caller's transaction: it is delivered if and
 * only if that transaction commits. One message row, one delivery row per enabled endpoint whose
 * filter takes the event's type.
 */
export async function enqueueEvent(
  o: ResolvedOptions,
  sql: Statements,
  client: Queryable,
  event: OutboundEvent,
): Promise<EnqueueResult> {
  if (typeof client !== 'object' || client === null || typeof client.query !== 'function') {
    throw invalidArgument('client', 'a pg client (the transaction the business change is in)');
  }
  // On the sender's pool, or on a pg client idle outside a transaction (the protocol's last
  // ReadyForQuery said 'I'), the event would commit on its own whatever the business change does.
  if (client === o.pool || (client as { _txStatus?: unknown })._txStatus === 'I') {
    throw invalidArgument(
      'client',
      'a client inside an open transaction (BEGIN …), so that the event commits with your change',
      'value',
    );
  }
  const e = resolveOptions<OutboundEvent, Record<string, never>>(
    'event',
    event,
    {},
    {
      type: rules.custom((v, path) => {
        const type = text(v, path);
        if (type.length > 200) throw invalidArgument(path, 'at most 200 characters', 'value');
        return type;
      }),
      payload: rules.custom(payloadBytes),
      id: rules.optional(
        rules.custom((v, path) => {
          if (typeof v !== 'string') throw invalidArgument(path, 'a message id (msg_…)');
          if (!MESSAGE_ID.test(v))
            throw invalidArgument(path, 'msg_ and 1–250 of [A-Za-z0-9_-]', 'value');
          return v;
        }),
      ),
      endpointIds: rules.optional(rules.custom(checkIds)),
      subject: rules.optional(rules.custom(text)),
    },
  );
  const bytes = e.payload as Uint8Array;
  if (bytes.byteLength > o.maxPayloadBytes) {
    o.telemetry.count('webhook_sender.payload_refused', 1);
    throw new WebhookSenderError(
      'ERR_SENDER_PAYLOAD_TOO_LARGE',
      `The payload is ${bytes.byteLength} bytes; the limit is ${o.maxPayloadBytes}.`,
    );
  }
  const large = bytes.byteLength > o.warnPayloadBytes;
  if (large) o.telemetry.count('webhook_sender.payload_large', 1, { type: e.type });
  const id = e.id ?? generateId();
  let stored = bytes;
  if (o.payloadCipher !== undefined) {
    try {
      stored = await o.payloadCipher.seal(bytes, cipherContext(id, e.type, e.subject));
    } catch (error) {
      // Before any query: the caller's transaction is untouched. A foreign cipher's error may
      // carry key or payload material, so it is not kept as the cause.
      if (isPortcullisError(error)) throw error;
      throw new WebhookSenderError(
        'ERR_SENDER_PAYLOAD_SEAL_FAILED',
        'The payload cipher could not seal the payload. Nothing was written.',
      );
    }
  }
  const now = new Date(o.clock.now());
  const result = await client.query(sql.enqueue, [
    id,
    e.type,
    Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength),
    o.payloadCipher !== undefined,
    e.subject ?? null,
    now,
    e.endpointIds ?? null,
  ]);
  const row = result.rows[0] as { inserted: number; deliveries: number } | undefined;
  if (row === undefined || row.inserted === 0) return Object.freeze({ id, deliveries: 0, large });
  o.telemetry.count('webhook_sender.enqueued', 1);
  return Object.freeze({ id, deliveries: row.deliveries, large });
}
