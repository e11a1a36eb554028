import { hostname } from 'node:os';
import { createSecureFetch, type SecureFetch } from '@portcullis/egress';
import { createSigner, type Signer } from '@portcullis/webhooks';
import { WebhookSenderError } from '../errors/WebhookSenderError.ts';
import { EndpointGates } from '../internal/EndpointGates.ts';
import type { ResolvedOptions } from '../internal/options.ts';
import type { Statements } from '../internal/sql.ts';
import { type AttemptResult, attemptDelivery, type ClaimedDelivery } from './attempt.ts';
import { completeDelivery, RECEIVER_FAILURES } from './complete.ts';

type Fetch = (input: string, init: RequestInit) => Promise<Response>;
type SignInput = Parameters<Signer['sign']>[0];

function toRow(r: Record<string, unknown>): ClaimedDelivery {
  const opt = <T>(v: unknown): T | undefined =>
    v === null || v === undefined ? undefined : (v as T);
  return {
    messageId: r.message_id as string,
    endpointId: r.endpoint_id as string,
    attempt: Number(r.attempts),
    lease: r.lease_owner as string,
    eventType: r.event_type as string,
    payload: r.payload as Uint8Array,
    sealed: r.sealed === true,
    subject: opt<string>(r.subject),
    url: r.url as string,
    secretRef: r.secret_ref as string,
    schedule: opt<number[]>(r.schedule_ms),
    ratePerSec: opt<number>(r.rate_per_sec),
    maxConcurrency: opt<number>(r.max_concurrency),
  };
}

function databaseError(cause: unknown): WebhookSenderError {
  return new WebhookSenderError('ERR_SENDER_DATABASE', 'A webhook outbox query failed.', { cause });
}

/** Claims due deliveries and delivers them; several of these (in several processes) share a table. */
export class DeliveryWorker {
  readonly id: string;
  readonly #o: ResolvedOptions;
  readonly #sql: Statements;
  readonly #gates: EndpointGates;
  readonly #signers = new Map<string, Signer>();
  #fetch: Fetch | undefined;
  #ownFetch: SecureFetch | undefined;
  #inFlight = new Set<Promise<void>>();
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: AbortController | undefined;

  constructor(o: ResolvedOptions, sql: Statements) {
    this.#o = o;
    this.#sql = sql;
    this.#gates = new EndpointGates(o.clock, o.breakerFailures, o.breakerCooldownMs);
    this.id =
      o.workerId ?? `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
    this.#fetch = o.fetch;
  }

  #fetcher(): Fetch {
    if (this.#fetch === undefined) {
      this.#ownFetch = createSecureFetch({ allowHosts: ['*'], maxRedirects: 0 });
      this.#fetch = this.#ownFetch;
    }
    return this.#fetch;
  }

  #signer(secretRef: string): Signer {
    let signer = this.#signers.get(secretRef);
    if (signer === undefined) {
      signer = createSigner({
        scheme: this.#o.scheme,
        secrets: this.#o.secrets.activeSecrets(secretRef),
        clock: this.#o.clock,
        telemetry: this.#o.telemetry,
      });
      this.#signers.set(secretRef, signer);
    }
    return signer;
  }

  /** Claims up to `max` due deliveries (leases them). */
  async #claim(max: number): Promise<ClaimedDelivery[]> {
    const now = this.#o.clock.now();
    try {
      const { rows } = await this.#o.pool.query(this.#sql.claim, [
        new Date(now),
        this.id,
        this.#gates.blocked(),
        max,
        new Date(now + this.#o.leaseMs),
      ]);
      return rows.map(toRow);
    } catch (error) {
      throw databaseError(error);
    }
  }

  /** Delivers one claimed row, or hands it back when its endpoint has no room now. */
  async #deliver(row: ClaimedDelivery): Promise<void> {
    const o = this.#o;
    const limits = {
      maxConcurrency: row.maxConcurrency ?? o.endpointConcurrency,
      ratePerSec: row.ratePerSec ?? o.endpointRatePerSec,
    };
    if (!this.#gates.tryAcquire(row.endpointId, limits)) {
      const waitMs = this.#gates.isOpen(row.endpointId)
        ? o.breakerCooldownMs
        : limits.ratePerSec > 0
          ? Math.ceil(1000 / limits.ratePerSec)
          : 0;
      o.telemetry.count('webhook_sender.deferred', 1);
      await o.pool
        .query(this.#sql.release, [
          row.messageId,
          row.endpointId,
          row.lease,
          new Date(o.clock.now() + waitMs),
        ])
        .catch(() => {}); // a lost release returns after the lease
      return;
    }
    let result: AttemptResult | undefined;
    try {
      const startedAt = o.clock.now();
      // The signer is made inside the attempt: a secrets source that throws is a recorded
      // ERR_SENDER_SECRET_UNAVAILABLE, not an unrecorded failure retried each lease for ever.
      const signer = { sign: (m: SignInput) => this.#signer(row.secretRef).sign(m) };
      result = await attemptDelivery(row, signer, this.#fetcher(), o);
      await completeDelivery(o, this.#sql, this.id, row, result, startedAt);
    } catch {
      // the database failed after the attempt: the lease expires and the delivery is retried
      o.telemetry.count('webhook_sender.complete_failed', 1);
    } finally {
      const outcome = result?.ok
        ? 'success'
        : result?.errorCode !== undefined && RECEIVER_FAILURES.has(result.errorCode)
          ? 'failure'
          : 'neutral';
      this.#gates.release(row.endpointId, outcome);
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => {
      this.#inFlight.delete(work);
      this.#wake?.abort();
    });
  }

  /** Claims one batch and delivers it; resolves when every attempt of the batch is recorded. */
  async runOnce(): Promise<number> {
    const rows = await this.#claim(Math.min(this.#o.batchSize, this.#o.concurrency));
    await Promise.all(rows.map((row) => this.#deliver(row)));
    return rows.length;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const o = this.#o;
    while (this.#running) {
      const free = o.concurrency - this.#inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const rows = await this.#claim(Math.min(free, o.batchSize));
          claimed = rows.length;
          for (const row of rows) this.#track(this.#deliver(row));
        } catch {
          o.telemetry.count('webhook_sender.claim_failed', 1);
        }
      }
      if (!this.#running) break;
      if (claimed > 0 && this.#inFlight.size < o.concurrency) continue;
      this.#wake = new AbortController();
      await o.clock.sleep(o.pollIntervalMs, this.#wake.signal).catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.abort();
    await this.#loop;
    await Promise.all([...this.#inFlight]);
    await this.#ownFetch?.close();
    this.#ownFetch = undefined;
    if (this.#o.fetch === undefined) this.#fetch = undefined;
  }
}
