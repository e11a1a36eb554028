import {
  type Clock,
  invalidArgument,
  resolveOptions,
  rules,
  type SecretSource,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import type { AuditSink } from './sinks/AuditSink.ts';

/** Options for {@link createAuditLog}. */
export interface AuditLogOptions {
  /** Where lines go: `JsonlSink`, `PostgresSink`, `StdoutSink`, or your own. */
  sink: AuditSink;
  /**
   * The HMAC key that chains the entries (≥ 32 bytes), from your secrets manager — never stored
   * beside the trail. A function is called once per batch.
   */
  key: SecretSource;
  /** The chain's name (one writer per chain). Default: `'default'`. */
  chain?: string;
  /** A batch is written when it reaches this many entries. Default: 1000. */
  batchMaxEntries?: number;
  /** …or when its first entry has waited this long. Milliseconds. Default: 100. */
  batchMaxDelayMs?: number;
  /** Entries held while the sink fails; past it `record` refuses with `ERR_AUDIT_BACKPRESSURE`. Default: 100000. */
  maxBufferedEntries?: number;
  /** First retry delay after a failed flush (exponential, full jitter). Milliseconds. Default: 100. */
  retryInitialMs?: number;
  /** Longest retry delay. Milliseconds. Default: 30000. */
  retryMaxMs?: number;
  /** Called with each failed background flush (the batch stays buffered). */
  onError?: (error: Error) => void;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Default: `telemetry('@portcullis/audit')`. */
  telemetry?: Telemetry;
}

/** The defaults of {@link AuditLogOptions}, in one place. */
export const DEFAULTS: {
  readonly chain: 'default';
  readonly batchMaxEntries: 1000;
  readonly batchMaxDelayMs: 100;
  readonly maxBufferedEntries: 100000;
  readonly retryInitialMs: 100;
  readonly retryMaxMs: 30000;
} = Object.freeze({
  chain: 'default',
  batchMaxEntries: 1000,
  batchMaxDelayMs: 100,
  maxBufferedEntries: 100_000,
  retryInitialMs: 100,
  retryMaxMs: 30_000,
});

export interface ResolvedAuditLogOptions extends Required<Omit<AuditLogOptions, 'onError'>> {
  onError: ((error: Error) => void) | undefined;
}

const CHAIN = /^[A-Za-z0-9_.:-]{1,64}$/;

export function resolveAuditLogOptions(options: AuditLogOptions): ResolvedAuditLogOptions {
  const o = resolveOptions<AuditLogOptions, typeof DEFAULTS & { clock: Clock }>(
    'options',
    options,
    { ...DEFAULTS, clock: systemClock },
    {
      sink: rules.implementing<AuditSink>('head', 'append'),
      key: rules.custom((value, path) => {
        if (
          value === undefined ||
          value === null ||
          (typeof value !== 'string' && typeof value !== 'object' && typeof value !== 'function')
        ) {
          throw invalidArgument(path, 'a string, a Redacted string or a function resolving one');
        }
        return value as SecretSource;
      }),
      chain: rules.custom((value, path) => {
        if (typeof value !== 'string') throw invalidArgument(path, 'a string');
        if (!CHAIN.test(value))
          throw invalidArgument(path, 'letters, digits and _.:- (1-64)', 'value');
        return value;
      }),
      batchMaxEntries: rules.integer({ max: 100_000 }),
      batchMaxDelayMs: rules.durationMs({ max: 60_000 }),
      maxBufferedEntries: rules.integer({ max: 10_000_000 }),
      retryInitialMs: rules.durationMs(),
      retryMaxMs: rules.durationMs(),
      onError: rules.optional(rules.func<(error: Error) => void>()),
      clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
      telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record', 'span')),
    },
  );
  if (o.maxBufferedEntries < o.batchMaxEntries) {
    throw invalidArgument(
      'options.maxBufferedEntries',
      'at least options.batchMaxEntries',
      'value',
    );
  }
  if (o.retryMaxMs < o.retryInitialMs)
    throw invalidArgument('options.retryMaxMs', 'at least options.retryInitialMs', 'value');
  return {
    ...o,
    onError: o.onError,
    telemetry: o.telemetry ?? telemetry('@portcullis/audit'),
  } as ResolvedAuditLogOptions;
}
