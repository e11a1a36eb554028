import {
  type Clock,
  invalidArgument,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import { type Scheme, schemes } from '@portcullis/webhooks';
import type {
  EndpointDisabledEvent,
  ExhaustedEvent,
  PayloadCipher,
  PoolLike,
  SecretsSource,
  WebhookSenderOptions,
} from '../options.ts';
import { checkSchedule, schedules } from '../schedule.ts';
import { checkSchema } from './sql.ts';

/**
 * Every default of `createWebhookSender`, in one frozen object (the README's defaults table is
 * tested against it).
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/webhook-sender';
 * DEFAULTS.requestTimeoutMs; // 15000
 * ```
 */
export const DEFAULTS: {
  readonly schema: 'webhook_sender';
  readonly schedule: readonly number[];
  readonly jitter: 0.2;
  readonly requestTimeoutMs: 15000;
  readonly leaseMs: 60000;
  readonly pollIntervalMs: 1000;
  readonly concurrency: 8;
  readonly batchSize: 8;
  readonly maxPayloadBytes: 262144;
  readonly warnPayloadBytes: 20000;
  readonly maxResponseBytes: 65536;
  readonly throttleBackoffMs: 60000;
  readonly maxRetryAfterMs: 3600000;
  readonly disableAfterMs: 432000000;
  readonly endpointConcurrency: 4;
  readonly endpointRatePerSec: 0;
  readonly breakerFailures: 5;
  readonly breakerCooldownMs: 30000;
} = Object.freeze({
  schema: 'webhook_sender',
  schedule: schedules.svix,
  jitter: 0.2,
  requestTimeoutMs: 15000,
  leaseMs: 60000,
  pollIntervalMs: 1000,
  concurrency: 8,
  batchSize: 8,
  maxPayloadBytes: 262144,
  warnPayloadBytes: 20000,
  maxResponseBytes: 65536,
  throttleBackoffMs: 60000,
  maxRetryAfterMs: 3600000,
  disableAfterMs: 432000000,
  endpointConcurrency: 4,
  endpointRatePerSec: 0,
  breakerFailures: 5,
  breakerCooldownMs: 30000,
} as const);

type Hook<E> = (event: E) => void;

/** The options with every default filled in. */
export interface ResolvedOptions {
  pool: PoolLike;
  secrets: SecretsSource;
  schema: string;
  fetch: ((input: string, init: RequestInit) => Promise<Response>) | undefined;
  scheme: Scheme;
  schedule: readonly number[];
  jitter: number;
  requestTimeoutMs: number;
  leaseMs: number;
  pollIntervalMs: number;
  concurrency: number;
  batchSize: number;
  maxPayloadBytes: number;
  warnPayloadBytes: number;
  maxResponseBytes: number;
  throttleBackoffMs: number;
  maxRetryAfterMs: number;
  disableAfterMs: number;
  endpointConcurrency: number;
  endpointRatePerSec: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  workerId: string | undefined;
  payloadCipher: PayloadCipher | undefined;
  onEndpointDisabled: Hook<EndpointDisabledEvent> | undefined;
  onExhausted: Hook<ExhaustedEvent> | undefined;
  clock: Clock;
  random: () => number;
  telemetry: Telemetry;
}

/** The one resolver of `createWebhookSender`'s options. */
export function resolveSenderOptions(input: WebhookSenderOptions): ResolvedOptions {
  const o = resolveOptions<WebhookSenderOptions, typeof DEFAULTS>('options', input, DEFAULTS, {
    pool: rules.implementing<PoolLike>('query', 'connect'),
    secrets: rules.implementing<SecretsSource>('activeSecrets'),
    schema: rules.custom(checkSchema),
    fetch: rules.optional(rules.func<(input: string, init: RequestInit) => Promise<Response>>()),
    scheme: rules.optional(rules.implementing<Scheme>('isValidId')),
    schedule: rules.custom(checkSchedule),
    jitter: rules.number({ min: 0, max: 0.5 }),
    requestTimeoutMs: rules.durationMs(),
    leaseMs: rules.durationMs({ min: 1000 }),
    pollIntervalMs: rules.durationMs(),
    concurrency: rules.integer({ max: 1024 }),
    batchSize: rules.integer({ max: 1000 }),
    maxPayloadBytes: rules.integer({ max: 64 * 1024 * 1024 }),
    warnPayloadBytes: rules.integer({ max: 64 * 1024 * 1024 }),
    maxResponseBytes: rules.integer({ min: 0, max: 16 * 1024 * 1024 }),
    throttleBackoffMs: rules.durationMs({ min: 0 }),
    maxRetryAfterMs: rules.durationMs({ min: 0 }),
    disableAfterMs: rules.durationMs(),
    endpointConcurrency: rules.integer({ max: 1024 }),
    endpointRatePerSec: rules.number({ min: 0, max: 1_000_000 }),
    breakerFailures: rules.integer({ max: 1000 }),
    breakerCooldownMs: rules.durationMs(),
    workerId: rules.optional(rules.string()),
    payloadCipher: rules.optional(rules.implementing<PayloadCipher>('seal', 'open')),
    onEndpointDisabled: rules.optional(rules.func<Hook<EndpointDisabledEvent>>()),
    onExhausted: rules.optional(rules.func<Hook<ExhaustedEvent>>()),
    clock: rules.optional(rules.implementing<Clock>('now', 'sleep', 'schedule')),
    random: rules.optional(rules.func<() => number>()),
    telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record', 'span')),
  });
  // A request that can outlast its lease lets another worker take the lease over and send the
  // same message while this one is still sending. What is left (leaseMs − requestTimeoutMs) is
  // also how far the workers' clocks may differ before their leases overlap.
  if (o.requestTimeoutMs >= o.leaseMs) {
    throw invalidArgument(
      'options.requestTimeoutMs',
      `less than options.leaseMs (${o.leaseMs}), so that a request ends within its lease`,
      'value',
    );
  }
  return {
    ...o,
    fetch: o.fetch,
    scheme: o.scheme ?? schemes.standard,
    workerId: o.workerId,
    payloadCipher: o.payloadCipher,
    onEndpointDisabled: o.onEndpointDisabled,
    onExhausted: o.onExhausted,
    clock: o.clock ?? systemClock,
    random: o.random ?? Math.random,
    telemetry: o.telemetry ?? telemetry('@portcullis/webhook-sender'),
  };
}
