import {
  type Clock,
  invalidArgument,
  type OptionRules,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
} from '@portcullis/core';
import type { RuleMode } from './Decision.ts';
import type { Algorithm } from './internal/algorithms.ts';
import type { RateLimitStore } from './stores/RateLimitStore.ts';

/** One rule of a limiter with several (`rules`). */
export interface RateLimitRule {
  /**
   * The rule's name: its `RateLimit-Policy` identifier and part of its store key. Printable ASCII
   * without `"` or `\`, unique within the limiter. Default: `'default'` for a single rule,
   * `'rule<N>'` (its position) in `rules`.
   */
  name?: string;
  /** Requests allowed per window: an integer from 1 to 1 000 000. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  /** Default: the limiter's `algorithm`. */
  algorithm?: Algorithm;
  /** Default: the limiter's `mode`. */
  mode?: RuleMode;
}

/** Options of `createRateLimiter`: one rule (`limit` + `windowMs`) or several (`rules`). */
export interface RateLimiterOptions {
  /** Requests allowed per window, for a limiter with one rule. */
  limit?: number;
  /** Window length in milliseconds, for a limiter with one rule. */
  windowMs?: number;
  /** The single rule's name. Default: `'default'`. */
  name?: string;
  /** Several rules composed into one decision (e.g. a burst limit and an hourly quota). */
  rules?: readonly RateLimitRule[];
  /** `'gcra'` (smooth, allows a burst of `limit`) or `'sliding-window'`. Default: `'gcra'`. */
  algorithm?: Algorithm;
  /** `'live'` (refuses) or `'dry-run'` (decides and reports only). Default: `'live'`. */
  mode?: RuleMode;
  /** Where counts live. Default: a new `MemoryRateLimitStore` (this process only). */
  store?: RateLimitStore;
  /** Put before every store key, so several limiters can share one Redis. Default: `'rl:'`. */
  keyPrefix?: string;
  /**
   * When the store fails or is slower than `storeTimeoutMs`: `'local'` decides with a limiter in
   * this process's memory (per process, so a fleet of N allows up to N × limit), `'open'` allows,
   * `'closed'` refuses (`ERR_RATE_LIMIT_UNAVAILABLE`, 503). Default: `'local'`.
   */
  onStoreFailure?: 'open' | 'closed' | 'local';
  /** Longest wait for the store, in milliseconds, before `onStoreFailure` applies. Default: 100. */
  storeTimeoutMs?: number;
  /**
   * After a store failure, how long to go straight to `onStoreFailure` without asking the store,
   * in milliseconds, so a dead Redis costs no waiting per request. `0` asks it every time.
   * Default: 1000.
   */
  storeRetryMs?: number;
  /** Most keys the in-process limiter (default store and `'local'` fallback) holds. Default: 100000. */
  localMaxKeys?: number;
  /** Default: `systemClock`. */
  clock?: Clock;
  /** Default: `telemetry('@portcullis/ratelimit')`. */
  telemetry?: Telemetry;
}

/**
 * Every default of `@portcullis/ratelimit`, in one frozen object: the limiter's options, and
 * `source` for `createSourceFilter` (`@portcullis/ratelimit/source`).
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/ratelimit';
 * DEFAULTS.onStoreFailure; // 'local'
 * ```
 */
export const DEFAULTS: {
  readonly name: 'default';
  readonly algorithm: 'gcra';
  readonly mode: 'live';
  readonly keyPrefix: 'rl:';
  readonly onStoreFailure: 'local';
  readonly storeTimeoutMs: 100;
  readonly storeRetryMs: 1000;
  readonly localMaxKeys: 100000;
  readonly source: { readonly trustedProxyHops: 0 };
} = Object.freeze({
  name: 'default',
  algorithm: 'gcra',
  mode: 'live',
  keyPrefix: 'rl:',
  onStoreFailure: 'local',
  storeTimeoutMs: 100,
  storeRetryMs: 1000,
  localMaxKeys: 100_000,
  source: Object.freeze({ trustedProxyHops: 0 }),
} as const);

/** A rule with everything filled in. */
export interface ResolvedRule {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly algorithm: Algorithm;
  readonly mode: RuleMode;
}

/** The limiter's options, validated and complete. */
export interface ResolvedLimiterOptions {
  readonly rules: readonly ResolvedRule[];
  readonly store: RateLimitStore | undefined;
  readonly keyPrefix: string;
  readonly onStoreFailure: 'open' | 'closed' | 'local';
  readonly storeTimeoutMs: number;
  readonly storeRetryMs: number;
  readonly localMaxKeys: number;
  readonly clock: Clock;
  readonly telemetry: Telemetry | undefined;
}

const { source: _source, ...LIMITER_DEFAULTS } = DEFAULTS;
const limit = rules.integer({ min: 1, max: 1_000_000 });
const algorithm = rules.oneOf<Algorithm>(['gcra', 'sliding-window']);
const mode = rules.oneOf<RuleMode>(['live', 'dry-run']);
const NAME = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/;
const name = rules.custom((value, path) => {
  if (typeof value !== 'string') throw invalidArgument(path, 'a string');
  if (!NAME.test(value)) {
    throw invalidArgument(path, 'printable ASCII without `"` or `\\`, 1 to 64 characters', 'value');
  }
  return value;
});

const OPTION_RULES: OptionRules<RateLimiterOptions> = {
  limit: rules.optional(limit),
  windowMs: rules.optional(rules.durationMs()),
  name,
  rules: rules.optional(
    rules.custom((value, path) => {
      if (!Array.isArray(value)) throw invalidArgument(path, 'an array of rules');
      if (value.length === 0 || value.length > 16) {
        throw invalidArgument(path, 'an array of 1 to 16 rules', 'value');
      }
      return value as RateLimitRule[];
    }),
  ),
  algorithm,
  mode,
  store: rules.optional(rules.implementing<RateLimitStore>('decide')),
  keyPrefix: rules.string({ allowEmpty: true }),
  onStoreFailure: rules.oneOf(['open', 'closed', 'local']),
  storeTimeoutMs: rules.durationMs(),
  storeRetryMs: rules.durationMs({ min: 0 }),
  localMaxKeys: rules.integer(),
  clock: rules.optional(rules.implementing<Clock>('now', 'schedule')),
  telemetry: rules.optional(rules.implementing<Telemetry>('count')),
};

/** Validates `createRateLimiter`'s options once; every default comes from {@link DEFAULTS}. */
export function resolveLimiterOptions(input: RateLimiterOptions): ResolvedLimiterOptions {
  const o = resolveOptions<RateLimiterOptions, typeof LIMITER_DEFAULTS>(
    'options',
    input,
    LIMITER_DEFAULTS,
    OPTION_RULES,
  );
  let resolved: ResolvedRule[];
  if (o.rules === undefined) {
    if (o.limit === undefined) throw invalidArgument('options.limit', 'an integer (or give rules)');
    if (o.windowMs === undefined) {
      throw invalidArgument('options.windowMs', 'a whole number of milliseconds (or give rules)');
    }
    resolved = [
      { name: o.name, limit: o.limit, windowMs: o.windowMs, algorithm: o.algorithm, mode: o.mode },
    ];
  } else {
    if (o.limit !== undefined || o.windowMs !== undefined || input.name !== undefined) {
      throw invalidArgument(
        'options',
        'either limit + windowMs (+ name) or rules, not both',
        'value',
      );
    }
    resolved = o.rules.map((rule, i) =>
      resolveOptions<RateLimitRule, { name: string; algorithm: Algorithm; mode: RuleMode }>(
        `options.rules[${i}]`,
        rule,
        { name: `rule${i + 1}`, algorithm: o.algorithm, mode: o.mode },
        { name, limit, windowMs: rules.durationMs(), algorithm, mode },
      ),
    );
    const names = new Set(resolved.map((r) => r.name));
    if (names.size !== resolved.length) {
      throw invalidArgument('options.rules', 'rules with distinct names', 'value');
    }
  }
  return {
    rules: resolved,
    store: o.store,
    keyPrefix: o.keyPrefix,
    onStoreFailure: o.onStoreFailure,
    storeTimeoutMs: o.storeTimeoutMs,
    storeRetryMs: o.storeRetryMs,
    localMaxKeys: o.localMaxKeys,
    clock: o.clock ?? systemClock,
    telemetry: o.telemetry,
  };
}
