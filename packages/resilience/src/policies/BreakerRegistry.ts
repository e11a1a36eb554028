import {
  type Clock,
  invalidArgument,
  resolveOptions,
  rules,
  systemClock,
  type Telemetry,
  telemetry,
} from '@portcullis/core';
import { DEFAULTS } from '../options/DEFAULTS.ts';
import type { BreakerOptions } from '../options/PipelineOptions.ts';
import {
  type BreakerSnapshot,
  type BreakerState,
  type BreakerTransition,
  CircuitBreaker,
} from './CircuitBreaker.ts';

/** Options of {@link createBreakerRegistry}. */
export interface BreakerRegistryOptions extends BreakerOptions {
  /** Time for break durations and windows. Default: `systemClock`. */
  clock?: Clock;
  /** Called on every transition (after telemetry). Errors it throws are ignored. Default: none. */
  onTransition?: (transition: BreakerTransition) => void;
  /** Where transition metrics go. Default: `telemetry('@portcullis/resilience')`. */
  telemetry?: Telemetry;
  /** Most keys kept; past it, closed breakers are forgotten oldest first. Default: 10000. */
  maxKeys?: number;
}

/** Breakers by key (a host, or a key the caller picks), with state export and import. */
export interface BreakerRegistry {
  /** The breaker for `key`, made on first use. */
  get(key: string): CircuitBreaker;
  /** Each known key's state, e.g. for a health endpoint. */
  states(): Record<string, BreakerState>;
  /** Every breaker's state, JSON-safe, to write before a restart. */
  exportState(): Record<string, BreakerSnapshot>;
  /** Restores what {@link exportState} wrote (an open partner stays open after a restart). */
  importState(snapshot: Record<string, BreakerSnapshot>): void;
}

const MAX_KEYS_DEFAULT = 10_000;

/**
 * A registry of circuit breakers, one per key, sharing options.
 *
 * @example
 * ```ts
 * import { createBreakerRegistry } from '@portcullis/resilience';
 * const breakers = createBreakerRegistry({ consecutiveFailures: 5 });
 * const saved = JSON.stringify(breakers.exportState());
 * // …after a restart:
 * createBreakerRegistry().importState(JSON.parse(saved));
 * ```
 */
export function createBreakerRegistry(options?: BreakerRegistryOptions): BreakerRegistry {
  const o = resolveOptions<BreakerRegistryOptions, Partial<BreakerRegistryOptions>>(
    'options',
    options,
    { ...DEFAULTS.breaker, clock: systemClock, maxKeys: MAX_KEYS_DEFAULT },
    {
      failureRatio: rules.number({ min: Number.MIN_VALUE, max: 1 }),
      samplingWindowMs: rules.durationMs(),
      minThroughput: rules.integer({ min: 2 }),
      consecutiveFailures: rules.integer({ min: 0 }),
      breakDurationMs: rules.durationMs({ min: 100 }),
      clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
      onTransition: rules.optional(rules.func()),
      telemetry: rules.optional(rules.implementing<Telemetry>('count', 'record', 'span')),
      maxKeys: rules.integer(),
    },
  );
  const t = o.telemetry ?? telemetry('@portcullis/resilience');
  const breakerOptions: Required<BreakerOptions> = {
    failureRatio: o.failureRatio,
    samplingWindowMs: o.samplingWindowMs,
    minThroughput: o.minThroughput,
    consecutiveFailures: o.consecutiveFailures,
    breakDurationMs: o.breakDurationMs,
  };
  const onTransition = (transition: BreakerTransition): void => {
    t.count('portcullis.resilience.breaker.transitions', 1, {
      key: transition.key,
      from: transition.from,
      to: transition.to,
    });
    try {
      o.onTransition?.(transition);
    } catch {
      // a listener's bug must not break the call that caused the transition
    }
  };
  const breakers = new Map<string, CircuitBreaker>();

  const get = (key: string): CircuitBreaker => {
    let breaker = breakers.get(key);
    if (breaker !== undefined) return breaker;
    if (typeof key !== 'string' || key.length === 0)
      throw invalidArgument('key', 'a non-empty string');
    if (breakers.size >= o.maxKeys) {
      for (const [k, b] of breakers) {
        if (b.state === 'closed') {
          breakers.delete(k);
          break;
        }
      }
    }
    breaker = new CircuitBreaker(key, breakerOptions, o.clock, onTransition);
    breakers.set(key, breaker);
    return breaker;
  };

  return {
    get,
    states() {
      const out: Record<string, BreakerState> = {};
      for (const [k, b] of breakers) out[k] = b.state;
      return out;
    },
    exportState() {
      const out: Record<string, BreakerSnapshot> = {};
      for (const [k, b] of breakers) out[k] = b.exportState();
      return out;
    },
    importState(snapshot) {
      if (typeof snapshot !== 'object' || snapshot === null) {
        throw invalidArgument('snapshot', 'an object written by exportState()');
      }
      for (const [k, s] of Object.entries(snapshot)) if (k.length > 0) get(k).importState(s);
    },
  };
}
