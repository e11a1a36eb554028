import type { Clock, Telemetry } from '@portcullis/core';
import type { Scheme, SecretResolver } from '@portcullis/webhooks';

/**
 * Seals payloads at rest in the outbox and opens them for delivery: the shape of an envelope
 * encryption package (structural, so any object with these two methods fits). `context` is bound
 * to the ciphertext (AES-GCM additional data, a KMS encryption context): the sender passes
 * `{ purpose: 'webhook-outbox', messageId, eventType }` plus `subject` when the event names one.
 * `open` must reject when the key is gone (crypto-shredding) or the bytes were changed.
 *
 * @example
 * ```ts
 * import type { PayloadCipher } from '@portcullis/webhook-sender';
 * const identity: PayloadCipher = {
 *   seal: async (plaintext) => plaintext,
 *   open: async (sealed) => sealed,
 * };
 * ```
 */
export interface PayloadCipher {
  /** Encrypts a payload bound to `context`; the result is stored in the `payload` column. */
  seal(plaintext: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
  /** Decrypts a stored payload under the same `context`, or throws (the delivery is then exhausted). */
  open(sealed: Uint8Array, context: Readonly<Record<string, string>>): Promise<Uint8Array>;
}

/**
 * Where signing secrets come from: `createSecretsCache(…)` of `@portcullis/secrets` fits.
 * `activeSecrets(name)` returns a resolver giving the current secret first, then the previous one
 * while a rotation's grace lasts (every message is signed with both).
 */
export interface SecretsSource {
  /** The resolver of the live secrets of `name` (current first, then previous). */
  activeSecrets(name: string): SecretResolver;
}

/** The result of a query, as `pg` returns it (the part the sender reads). */
export interface QueryResultLike {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** Anything that runs a parameterised query: a `pg.Pool`, a `pg.Client`, a `PoolClient`. */
export interface Queryable {
  /** Runs one parameterised statement. */
  query(text: string, values?: unknown[]): Promise<QueryResultLike>;
}

/** A `pg.Pool` (or anything with `query` and `connect`), for the sender's own queries. */
export interface PoolLike extends Queryable {
  /** A client of the pool for a transaction, given back with `release()`. */
  connect(): Promise<
    Queryable & {
      /** Gives the client back to the pool (an error discards it). */
      release(error?: Error | boolean): void;
    }
  >;
}

/** An endpoint was disabled: by a `410 Gone`, or after `disableAfterMs` without a success. */
export interface EndpointDisabledEvent {
  readonly endpointId: string;
  /** `'gone'` (410), `'failing'` (no success for `disableAfterMs`) or `'manual'`. */
  readonly reason: 'gone' | 'failing' | 'manual';
  /** The first failure since the last success (ms since the epoch), when known. */
  readonly failingSince: number | undefined;
  /** When it was disabled (ms since the epoch, on the sender's clock). */
  readonly disabledAt: number;
}

/** A delivery gave up: its last scheduled attempt failed, or it can never succeed. */
export interface ExhaustedEvent {
  readonly messageId: string;
  readonly endpointId: string;
  readonly eventType: string;
  /** Attempts made. */
  readonly attempts: number;
  /** The last attempt's failure code (`ERR_SENDER_…`). */
  readonly errorCode: string;
  /** The last HTTP status, when a response came. */
  readonly lastStatus: number | undefined;
}

/** Options of `createWebhookSender`. Every duration is in milliseconds. */
export interface WebhookSenderOptions {
  /** The pool the sender's own queries (claims, completions, admin) run on. Required. */
  pool: PoolLike;
  /** The signing secrets, by each endpoint's `secretRef`. Required. */
  secrets: SecretsSource;
  /** PostgreSQL schema of the outbox tables (`[a-z_][a-z0-9_]*`, ≤ 63). Default: `'webhook_sender'`. */
  schema?: string;
  /**
   * How requests are sent. Default: `createSecureFetch` of `@portcullis/egress` for any host on
   * the https port, private/loopback/metadata addresses refused at connect time, no redirects.
   * The sender always passes `redirect: 'manual'`: a 3xx is a failed attempt.
   */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Signature scheme. Default: `schemes.standard` (Standard Webhooks). */
  scheme?: Scheme;
  /**
   * Delay before each attempt, the first included (usually 0). Default: `schedules.svix`
   * (0, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). Endpoints may override it.
   */
  schedule?: readonly number[];
  /** Spread of each delay: ± this fraction. Default: `0.2`. */
  jitter?: number;
  /** Bound on one request, headers and bounded body read included. Default: `15000`. */
  requestTimeoutMs?: number;
  /** How long a claim is held; a crashed worker's claims return after it. Default: `60000`. */
  leaseMs?: number;
  /** Wait between polls when nothing is due (`start()`). Default: `1000`. */
  pollIntervalMs?: number;
  /** Deliveries in flight at once in this process (`start()`). Default: `8`. */
  concurrency?: number;
  /** Most rows claimed per query. Default: `8`. */
  batchSize?: number;
  /** Hard cap on a payload, in bytes (before sealing): larger is refused at enqueue. Default: `262144`. */
  maxPayloadBytes?: number;
  /** A payload over this many bytes is counted and flagged (`large: true`). Default: `20000`. */
  warnPayloadBytes?: number;
  /** Response body bytes read (then discarded); the rest is cancelled. Default: `65536`. */
  maxResponseBytes?: number;
  /** Least delay after `429`, `502`, `504` or a timeout. Default: `60000`. */
  throttleBackoffMs?: number;
  /** Longest `Retry-After` honoured (a longer one is capped). Default: `3600000`. */
  maxRetryAfterMs?: number;
  /** An endpoint with no success for this long is disabled. Default: `432000000` (5 days). */
  disableAfterMs?: number;
  /** Requests in flight to one endpoint from this process (endpoint override: `maxConcurrency`). Default: `4`. */
  endpointConcurrency?: number;
  /** Requests per second to one endpoint from this process; 0 is no limit. Default: `0`. */
  endpointRatePerSec?: number;
  /** Consecutive failures that open an endpoint's breaker. Default: `5`. */
  breakerFailures?: number;
  /** How long an open breaker keeps its endpoint out of claims. Default: `30000`. */
  breakerCooldownMs?: number;
  /** This worker's name in leases and attempts. Default: host, pid and a random suffix. */
  workerId?: string;
  /** Encrypts payloads at rest. Default: none (payloads stored as given). */
  payloadCipher?: PayloadCipher;
  /** Called when an endpoint is disabled. Exceptions are ignored. Default: none. */
  onEndpointDisabled?: (event: EndpointDisabledEvent) => void;
  /** Called when a delivery is exhausted (a dead letter). Exceptions are ignored. Default: none. */
  onExhausted?: (event: ExhaustedEvent) => void;
  /** Time source (schedules, leases, health). Default: `systemClock`. */
  clock?: Clock;
  /** Random numbers in `[0, 1)` for jitter. Default: `Math.random`. */
  random?: () => number;
  /** Metrics (`webhook_sender.*`). Default: `telemetry('@portcullis/webhook-sender')`. */
  telemetry?: Telemetry;
}

/** A receiving endpoint, as `addEndpoint` takes it. */
export interface EndpointInput {
  /** Stable id. Default: a generated `ep_…`. */
  id?: string;
  /** Where messages are POSTed (`https:`; the fetch decides what else it allows). Required. */
  url: string;
  /** The secret's name in the secrets source. Required. */
  secretRef: string;
  /** Event types this endpoint receives. Default: every type. */
  eventTypes?: readonly string[];
  /** Schedule override (see `schedule`). Default: the sender's. */
  schedule?: readonly number[];
  /** Rate override, requests per second (0: none). Default: the sender's. */
  ratePerSec?: number;
  /** Concurrency override. Default: the sender's. */
  maxConcurrency?: number;
}

/** An endpoint as stored. */
export interface Endpoint {
  readonly id: string;
  readonly url: string;
  readonly secretRef: string;
  readonly eventTypes: readonly string[] | undefined;
  readonly schedule: readonly number[] | undefined;
  readonly ratePerSec: number | undefined;
  readonly maxConcurrency: number | undefined;
  /** When disabled (ms since the epoch), or `undefined` while enabled. */
  readonly disabledAt: number | undefined;
  readonly disabledReason: string | undefined;
  readonly failingSince: number | undefined;
  /** The last success, to about a second (a busy endpoint's row is not written per message). */
  readonly lastSuccessAt: number | undefined;
}

/** One event to send, as `enqueue` takes it. */
export interface OutboundEvent {
  /** Event type, e.g. `'invoice.paid'`: matched against each endpoint's filter. Required. */
  type: string;
  /** The body: a JSON value (serialised once), a string or bytes (sent as they are). Required. */
  payload: unknown;
  /** Message id (`msg_…`), stable across retries; enqueueing an id twice stores it once. Default: generated. */
  id?: string;
  /** Only these endpoints (still filtered by type). Default: every enabled endpoint. */
  endpointIds?: readonly string[];
  /** Data subject the payload is about, bound into the cipher context (crypto-shredding). */
  subject?: string;
}

/** What `enqueue` did. */
export interface EnqueueResult {
  /** The message id (`msg_…`). */
  readonly id: string;
  /** Deliveries created (endpoints that match); 0 when the id was already enqueued. */
  readonly deliveries: number;
  /** Whether the payload is over `warnPayloadBytes`. */
  readonly large: boolean;
}

/** Where one (message, endpoint) delivery stands. */
export interface DeliveryState {
  readonly messageId: string;
  readonly endpointId: string;
  readonly status: 'pending' | 'succeeded' | 'exhausted';
  readonly attempts: number;
  /** Next attempt (ms since the epoch) while pending. */
  readonly nextAttemptAt: number | undefined;
  readonly lastStatus: number | undefined;
  readonly lastLatencyMs: number | undefined;
  readonly lastError: string | undefined;
}

/** One recorded attempt: status and latency, never a payload. */
export interface DeliveryAttempt {
  readonly messageId: string;
  readonly endpointId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly worker: string;
  readonly startedAt: number;
  readonly outcome: 'succeeded' | 'failed';
  readonly httpStatus: number | undefined;
  readonly latencyMs: number;
  readonly errorCode: string | undefined;
  /** The worker's lease had expired: its result did not overwrite the newer attempt. */
  readonly leaseLost: boolean;
}

/** Filter of `listAttempts`. */
export interface ListAttemptsQuery {
  messageId?: string;
  endpointId?: string;
  /** Most rows, newest first. Default: 100. */
  limit?: number;
}
