import {
  type Clock,
  invalidArgument,
  resolveOptions,
  rules,
  type Store,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';

/** Options for {@link createIdempotency}. */
export interface IdempotencyOptions {
  /** Where records live: `MemoryStore` (one process), `RedisStore` or `PostgresStore` (a fleet). */
  store: Store;
  /** How long a completed result is replayed. Milliseconds. Default: 86400000 (24 h); for webhooks use more than the sender's retry window (≥ 72 h). */
  ttlMs?: number;
  /** How long an in-flight lock lives, so a crashed worker does not hold a key for ever; must exceed the handler's longest run. Milliseconds. Default: 60000. */
  lockTtlMs?: number;
  /** `handle`: whether a request without `Idempotency-Key` is refused (`400`) or processed as is. Default: true. */
  required?: boolean;
  /** `handle`: the methods idempotency applies to; others pass straight through. Default: `['POST', 'PATCH']`. */
  methods?: readonly string[];
  /** `handle`: the largest request body read (it is hashed into the fingerprint). Bytes. Default: 1048576. */
  maxRequestBytes?: number;
  /** `handle`: the largest response body stored for replay; a larger one is replayed without its body. Bytes. Default: 1048576. */
  maxResponseBytes?: number;
  /** `handle`: the tenant a request belongs to (keys are scoped by tenant and route). Default: one tenant. */
  tenant?: (request: Request) => string | Promise<string>;
  /** `handle`: which responses are stored for replay. Default: statuses below 500 except 408 and 429. */
  storeStatus?: (status: number) => boolean;
  /** Prefix of every store key. Default: `'idem:'`. */
  keyPrefix?: string;
  /** Time source. Default: `systemClock`. */
  clock?: Clock;
  /** Default: `telemetry('@portcullis/idempotency')`. */
  telemetry?: Telemetry;
}

/** The defaults of {@link IdempotencyOptions}, in one place. */
export const DEFAULTS: {
  readonly ttlMs: 86400000;
  readonly lockTtlMs: 60000;
  readonly required: true;
  readonly methods: readonly ['POST', 'PATCH'];
  readonly maxRequestBytes: 1048576;
  readonly maxResponseBytes: 1048576;
  readonly keyPrefix: 'idem:';
} = Object.freeze({
  ttlMs: 86_400_000,
  lockTtlMs: 60_000,
  required: true,
  methods: Object.freeze(['POST', 'PATCH'] as const),
  maxRequestBytes: 1_048_576,
  maxResponseBytes: 1_048_576,
  keyPrefix: 'idem:',
});

export type ResolvedIdempotencyOptions = Required<Omit<IdempotencyOptions, 'tenant'>> &
  Pick<IdempotencyOptions, 'tenant'>;

const defaultStoreStatus = (status: number): boolean =>
  status < 500 && status !== 408 && status !== 429;

export function resolveIdempotencyOptions(options: IdempotencyOptions): ResolvedIdempotencyOptions {
  const o = resolveOptions<
    IdempotencyOptions,
    typeof DEFAULTS & { clock: Clock; storeStatus: (s: number) => boolean }
  >(
    'options',
    options,
    { ...DEFAULTS, clock: systemClock, storeStatus: defaultStoreStatus },
    {
      store: rules.implementing<Store>('get', 'set', 'setIfAbsent', 'delete', 'compareAndDelete'),
      ttlMs: rules.durationMs({ max: 30 * 86_400_000 }),
      lockTtlMs: rules.durationMs({ min: 100 }),
      required: rules.boolean(),
      methods: rules.custom((value, path) => {
        if (
          !Array.isArray(value) ||
          value.length === 0 ||
          value.some((m) => typeof m !== 'string' || !/^[A-Z]+$/.test(m))
        ) {
          throw invalidArgument(path, 'a non-empty array of upper-case HTTP methods', 'value');
        }
        return value as readonly string[];
      }),
      maxRequestBytes: rules.integer({ max: 1 << 30 }),
      maxResponseBytes: rules.integer({ max: 1 << 30 }),
      tenant: rules.optional(rules.func<(request: Request) => string | Promise<string>>()),
      storeStatus: rules.func<(status: number) => boolean>(),
      keyPrefix: rules.string({ allowEmpty: true }),
      clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
      telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record', 'span')),
    },
  );
  return {
    ...o,
    telemetry: o.telemetry ?? telemetry('@portcullis/idempotency'),
  } as ResolvedIdempotencyOptions;
}
