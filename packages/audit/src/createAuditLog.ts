import { type Cancel, exponentialBackoffMs } from '@portcullis/core';
import { type AuditLogOptions, resolveAuditLogOptions } from './AuditLogOptions.ts';
import { type AuditEntry, checkEntry } from './entry.ts';
import { AuditError } from './errors/AuditError.ts';
import { type ChainHead, GENESIS, macKey, signLine } from './internal/line.ts';
import type { AuditLine } from './sinks/AuditSink.ts';

/** The API of {@link createAuditLog}. */
export interface AuditLog {
  /**
   * Checks and buffers an entry (stamped with the clock's time now). Synchronous and cheap; the
   * entry is chained and written with its batch. Throws `ERR_AUDIT_ENTRY_REFUSED` for an entry
   * that breaks the schema, `ERR_AUDIT_BACKPRESSURE` while the sink fails and the buffer is full.
   */
  record(entry: AuditEntry): void;
  /** Writes everything recorded so far; rejects with `ERR_AUDIT_SINK_FAILED` (nothing lost: retried). */
  flush(): Promise<void>;
  /** Flushes, then closes the sink. Later `record` calls throw `ERR_AUDIT_CLOSED`. */
  close(): Promise<void>;
  /** The last entry written (`undefined` before the first flush of a new chain). */
  readonly head: ChainHead | undefined;
  /** Entries recorded and not yet written. */
  readonly pending: number;
}

interface Pending {
  ts: number;
  fields: Record<string, unknown>;
}

/**
 * A tamper-evident audit trail: each entry carries the HMAC of the one before it, keyed with a
 * secret the trail's readers do not hold, so `verifyAuditChain` finds any edit, deletion,
 * insertion or reordering and says where. Entries are batched: a crash loses at most the entries
 * of the batch being filled (`batchMaxEntries` / `batchMaxDelayMs`) and never breaks the chain.
 *
 * @example
 * ```ts
 * import { createAuditLog, JsonlSink } from '@portcullis/audit';
 * const audit = createAuditLog({
 *   sink: new JsonlSink({ directory: '/var/log/myservice/audit' }),
 *   key: process.env.AUDIT_KEY ?? 'an-audit-key-of-at-least-32-bytes!!',
 * });
 * audit.record({ actor: 'key_7Hq2', action: 'orders.export', category: 'pii.contact', target: 'crm', count: 120, outcome: 'success' });
 * await audit.close();
 * ```
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const o = resolveAuditLogOptions(options);
  const buffer: Pending[] = [];
  let head: ChainHead | undefined;
  let loaded = false;
  let closed = false;
  let failures = 0;
  let timer: Cancel | undefined;
  let running: Promise<void> | undefined;

  function schedule(delayMs: number): void {
    if (timer !== undefined) return;
    timer = o.clock.schedule(delayMs, () => {
      timer = undefined;
      flush().catch((error: Error) => o.onError?.(error));
    });
  }

  async function writeAll(): Promise<void> {
    if (!loaded) {
      head = await o.sink.head(o.chain);
      loaded = true;
    }
    while (buffer.length > 0) {
      const key = macKey(typeof o.key === 'function' ? await o.key() : o.key);
      const batch = buffer.slice(0, o.batchMaxEntries);
      let prev = head ?? { seq: 0, mac: GENESIS };
      const lines: AuditLine[] = [];
      for (const entry of batch) {
        const line = signLine(key, o.chain, prev.seq + 1, entry.ts, entry.fields, prev.mac);
        lines.push(line);
        prev = line;
      }
      await o.sink.append(o.chain, lines);
      // Only a batch the sink took moves the chain on; a failed one is signed again, the same way.
      buffer.splice(0, batch.length);
      head = { seq: prev.seq, mac: prev.mac };
      o.telemetry.count('portcullis.audit.written', batch.length);
    }
  }

  function flush(): Promise<void> {
    if (running !== undefined) return running.then(() => (buffer.length > 0 ? flush() : undefined));
    if (timer !== undefined) {
      timer();
      timer = undefined;
    }
    running = writeAll()
      .then(
        () => {
          failures = 0;
        },
        (error: unknown) => {
          failures++;
          o.telemetry.count('portcullis.audit.flush_failures');
          schedule(
            exponentialBackoffMs(failures, { initialMs: o.retryInitialMs, maxMs: o.retryMaxMs }),
          );
          throw new AuditError(
            'ERR_AUDIT_SINK_FAILED',
            'The audit sink failed; the entries stay buffered and are retried.',
            {
              cause: error,
            },
          );
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  return {
    record(entry) {
      if (closed) throw new AuditError('ERR_AUDIT_CLOSED', 'The audit log is closed.');
      const fields = checkEntry(entry);
      if (buffer.length >= o.maxBufferedEntries) {
        o.telemetry.count('portcullis.audit.backpressure');
        throw new AuditError(
          'ERR_AUDIT_BACKPRESSURE',
          'The audit sink is failing and the buffer is full; the entry was not recorded.',
        );
      }
      buffer.push({ ts: o.clock.now(), fields });
      // A full batch starts a flush unless one runs (it drains the buffer to the end) or the sink
      // is failing (the retry timer is set); otherwise the timer writes it in batchMaxDelayMs.
      if (buffer.length >= o.batchMaxEntries && failures === 0 && running === undefined) {
        flush().catch((error: Error) => o.onError?.(error));
      } else schedule(o.batchMaxDelayMs);
    },
    flush,
    async close() {
      closed = true;
      await flush();
      await o.sink.close?.();
    },
    get head() {
      return head;
    },
    get pending() {
      return buffer.length;
    },
  };
}
