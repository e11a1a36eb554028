/**
 * Every default of `@portcullis/resilience`, in one place (the README's defaults table is tested
 * against it). Timeouts, retry shape and breaker ratio follow Microsoft.Extensions.Http.Resilience's
 * standard handler except where docs/resilience.md argues otherwise. `hedging` and
 * `adaptiveThrottling` hold the values used once turned on.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/resilience';
 * DEFAULTS.retry.maxAttempts; // 3 (total calls)
 * ```
 */
export const DEFAULTS: {
  readonly totalTimeoutMs: 30_000;
  readonly attemptTimeoutMs: 10_000;
  readonly key: 'default';
  readonly retry: {
    readonly maxAttempts: 3;
    readonly initialDelayMs: 2000;
    readonly maxDelayMs: 15_000;
    readonly multiplier: 2;
    readonly jitter: 'full';
    readonly maxRetryAfterMs: 30_000;
  };
  readonly retryBudget: {
    readonly capacity: 500;
    readonly retryCost: 5;
    readonly timeoutCost: 10;
    readonly successRefund: 1;
  };
  readonly breaker: {
    readonly failureRatio: 0.1;
    readonly samplingWindowMs: 30_000;
    readonly minThroughput: 100;
    readonly consecutiveFailures: 10;
    readonly breakDurationMs: 5000;
  };
  readonly bulkhead: { readonly maxConcurrent: 1000; readonly maxQueued: 0 };
  readonly rateLimit: { readonly maxWaitMs: 0 };
  readonly hedging: { readonly delayMs: 2000; readonly maxHedges: 1 };
  readonly adaptiveThrottling: { readonly k: 2; readonly windowMs: 120_000 };
  readonly addIdempotencyKey: false;
  readonly drainMaxBytes: 65_536;
  readonly drainTimeoutMs: 1000;
  readonly chaos: {
    readonly faultRate: 0;
    readonly latencyRate: 0;
    readonly latencyMs: 0;
    readonly statusRate: 0;
    readonly status: 503;
  };
} = deepFreeze({
  totalTimeoutMs: 30_000,
  attemptTimeoutMs: 10_000,
  key: 'default',
  retry: {
    maxAttempts: 3,
    initialDelayMs: 2000,
    maxDelayMs: 15_000,
    multiplier: 2,
    jitter: 'full',
    maxRetryAfterMs: 30_000,
  },
  retryBudget: { capacity: 500, retryCost: 5, timeoutCost: 10, successRefund: 1 },
  breaker: {
    failureRatio: 0.1,
    samplingWindowMs: 30_000,
    minThroughput: 100,
    consecutiveFailures: 10,
    breakDurationMs: 5000,
  },
  bulkhead: { maxConcurrent: 1000, maxQueued: 0 },
  rateLimit: { maxWaitMs: 0 },
  hedging: { delayMs: 2000, maxHedges: 1 },
  adaptiveThrottling: { k: 2, windowMs: 120_000 },
  addIdempotencyKey: false,
  drainMaxBytes: 65_536,
  drainTimeoutMs: 1000,
  chaos: { faultRate: 0, latencyRate: 0, latencyMs: 0, statusRate: 0, status: 503 },
} as const);

function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) {
    if (typeof inner === 'object' && inner !== null) deepFreeze(inner);
  }
  return Object.freeze(value);
}
