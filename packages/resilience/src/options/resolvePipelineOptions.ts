import {
  type Clock,
  invalidArgument,
  type Jitter,
  type OptionRules,
  type Rule,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import type { BreakerRegistry } from '../policies/BreakerRegistry.ts';
import { DEFAULTS } from './DEFAULTS.ts';
import type {
  AdaptiveThrottlingOptions,
  BreakerOptions,
  BulkheadOptions,
  HedgingOptions,
  Outcome,
  PipelineOptions,
  RateLimitOptions,
  RetryBudgetOptions,
  RetryOptions,
} from './PipelineOptions.ts';

/** A policy's options with every field filled in. */
type Full<T> = { readonly [K in keyof T]-?: Exclude<T[K], undefined> };

/** {@link PipelineOptions} after validation: every default applied, `false` for a policy turned off. */
export interface ResolvedPipelineOptions<T = unknown> {
  readonly totalTimeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly key: string;
  readonly retry: Full<RetryOptions> | false;
  readonly retryBudget: Full<RetryBudgetOptions> | false;
  readonly breaker: Full<BreakerOptions> | false;
  readonly breakers: BreakerRegistry | undefined;
  readonly bulkhead: Full<BulkheadOptions> | false;
  readonly rateLimit:
    | (Full<Omit<RateLimitOptions, 'ratePerSec'>> & { ratePerSec?: number })
    | false;
  readonly hedging: Full<HedgingOptions> | false;
  readonly adaptiveThrottling: Full<AdaptiveThrottlingOptions> | false;
  readonly clock: Clock;
  readonly random: () => number;
  readonly telemetry: Telemetry;
  readonly retryOn: ((outcome: Outcome<T>) => boolean) | undefined;
  readonly failureOn: ((outcome: Outcome<T>) => boolean) | undefined;
  readonly retryAfterMs: ((value: T) => number | undefined) | undefined;
  readonly discard: ((value: T) => void) | undefined;
}

/**
 * A rule for a policy that takes `false`, `true` or an object resolved against `defaults`.
 * `undefined` means on (with defaults) or off, as `onByDefault` says.
 */
function policy<P extends object>(
  defaults: Partial<P>,
  optionRules: OptionRules<P>,
  onByDefault: boolean,
): Rule<Full<P> | false> {
  return (value, path) => {
    if (value === false || (value === undefined && !onByDefault)) return false;
    const given = value === true || value === undefined ? undefined : (value as P);
    if (given !== undefined && (typeof given !== 'object' || given === null)) {
      throw invalidArgument(path, 'false, true or an options object');
    }
    return resolveOptions<P, Partial<P>>(path, given, defaults, optionRules) as Full<P>;
  };
}

const ms = rules.durationMs;
const retryRule = policy<RetryOptions>(
  DEFAULTS.retry,
  {
    maxAttempts: rules.integer({ min: 1, max: 10 }),
    initialDelayMs: ms({ min: 0 }),
    maxDelayMs: ms({ min: 0 }),
    multiplier: rules.number({ min: 1, max: 10 }),
    jitter: rules.oneOf<Jitter>(['full', 'half', 'none']),
    maxRetryAfterMs: ms({ min: 0 }),
  },
  true,
);
const budgetRule = policy<RetryBudgetOptions>(
  DEFAULTS.retryBudget,
  {
    capacity: rules.integer(),
    retryCost: rules.integer(),
    timeoutCost: rules.integer(),
    successRefund: rules.integer({ min: 0 }),
  },
  true,
);
const breakerRule = policy<BreakerOptions>(
  DEFAULTS.breaker,
  {
    failureRatio: rules.custom((value, path) => {
      const ratio = rules.number()(value, path);
      if (ratio === 0) throw invalidArgument(path, 'a ratio above 0 and at most 1', 'value');
      return ratio;
    }),
    samplingWindowMs: ms(),
    minThroughput: rules.integer({ min: 2 }),
    consecutiveFailures: rules.integer({ min: 0 }),
    breakDurationMs: ms({ min: 100 }),
  },
  true,
);
const bulkheadRule = policy<BulkheadOptions>(
  DEFAULTS.bulkhead,
  { maxConcurrent: rules.integer(), maxQueued: rules.integer({ min: 0 }) },
  true,
);
const rateLimitRule = policy<RateLimitOptions>(
  DEFAULTS.rateLimit,
  {
    ratePerSec: rules.optional(rules.number({ min: Number.MIN_VALUE, max: 1e6 })),
    burst: rules.optional(rules.integer()),
    maxWaitMs: ms({ min: 0 }),
  },
  true,
);
const hedgingRule = policy<HedgingOptions>(
  DEFAULTS.hedging,
  { delayMs: ms(), maxHedges: rules.integer({ max: 5 }) },
  false,
);
const throttleRule = policy<AdaptiveThrottlingOptions>(
  DEFAULTS.adaptiveThrottling,
  { k: rules.number({ min: 1, max: 100 }), windowMs: ms({ min: 1000 }) },
  false,
);

/** The rules shared by `createPipeline` and `resilientFetch` (which adds its own). */
export const PIPELINE_RULES: OptionRules<PipelineOptions> = {
  totalTimeoutMs: ms(),
  attemptTimeoutMs: ms(),
  key: rules.string(),
  retry: retryRule as Rule<PipelineOptions['retry']>,
  retryBudget: budgetRule as Rule<PipelineOptions['retryBudget']>,
  breaker: breakerRule as Rule<PipelineOptions['breaker']>,
  breakers: rules.optional(rules.implementing<BreakerRegistry>('get', 'exportState')),
  bulkhead: bulkheadRule as Rule<PipelineOptions['bulkhead']>,
  rateLimit: rateLimitRule as Rule<PipelineOptions['rateLimit']>,
  hedging: hedgingRule as Rule<PipelineOptions['hedging']>,
  adaptiveThrottling: throttleRule as Rule<PipelineOptions['adaptiveThrottling']>,
  clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
  random: rules.func<() => number>(),
  telemetry: rules.implementing<Telemetry>('count', 'record', 'span'),
  retryOn: rules.optional(rules.func()),
  failureOn: rules.optional(rules.func()),
  retryAfterMs: rules.optional(rules.func()),
  discard: rules.optional(rules.func()),
};

/** Top-level defaults handed to `resolveOptions`; policies fill their own from `DEFAULTS`. */
export const TOP_DEFAULTS: Partial<PipelineOptions> = {
  totalTimeoutMs: DEFAULTS.totalTimeoutMs,
  attemptTimeoutMs: DEFAULTS.attemptTimeoutMs,
  key: DEFAULTS.key,
  clock: systemClock,
  random: Math.random,
};

/** Refuses combinations that cannot work; shared by both resolvers. */
export function refuseUnworkable(path: string, o: ResolvedPipelineOptions<never>): void {
  if (o.attemptTimeoutMs > o.totalTimeoutMs) {
    throw invalidArgument(`${path}.attemptTimeoutMs`, 'at most totalTimeoutMs', 'value');
  }
  if (o.retry !== false && o.retry.initialDelayMs > o.retry.maxDelayMs) {
    throw invalidArgument(`${path}.retry.initialDelayMs`, 'at most retry.maxDelayMs', 'value');
  }
  if (o.breaker !== false && o.breaker.samplingWindowMs < 2 * o.attemptTimeoutMs) {
    // A window shorter than two attempt timeouts forgets a hung call before it has failed.
    throw invalidArgument(
      `${path}.breaker.samplingWindowMs`,
      'at least twice attemptTimeoutMs',
      'value',
    );
  }
  if (o.hedging !== false && o.hedging.delayMs >= o.attemptTimeoutMs) {
    throw invalidArgument(`${path}.hedging.delayMs`, 'below attemptTimeoutMs', 'value');
  }
  if (o.retryBudget !== false) {
    const { capacity, retryCost, timeoutCost } = o.retryBudget;
    if (retryCost > capacity || timeoutCost > capacity) {
      throw invalidArgument(
        `${path}.retryBudget.retryCost`,
        'at most retryBudget.capacity',
        'value',
      );
    }
  }
}

/**
 * Validates {@link PipelineOptions} once: wrong types, out-of-range values, unknown keys and
 * combinations that cannot work are `TypeError`s naming the option.
 */
export function resolvePipelineOptions<T>(
  path: string,
  input: PipelineOptions<T> | undefined,
): ResolvedPipelineOptions<T> {
  const resolved = resolveOptions<PipelineOptions, Partial<PipelineOptions>>(
    path,
    input as PipelineOptions | undefined,
    { ...TOP_DEFAULTS, telemetry: input?.telemetry ?? telemetry('@portcullis/resilience') },
    PIPELINE_RULES,
  ) as unknown as ResolvedPipelineOptions<T>;
  refuseUnworkable(path, resolved as ResolvedPipelineOptions<never>);
  return resolved;
}
