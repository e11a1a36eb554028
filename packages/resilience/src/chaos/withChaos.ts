import { type Clock, type OptionRules, resolveOptions, rules, systemClock } from '@portcullis/core';
import { ResilienceError } from '../errors/ResilienceError.ts';
import { DEFAULTS } from '../options/DEFAULTS.ts';

/** Faults to inject, for testing how a consumer copes. Rates are chances per call, in [0, 1]. */
export interface ChaosOptions {
  /** Chance a call throws `fault()` instead of running. Default: 0. */
  faultRate?: number;
  /** The error thrown. Default: a `ResilienceError` `ERR_RESILIENCE_CHAOS`. */
  fault?: () => Error;
  /** Chance a call is delayed by `latencyMs` first. Default: 0. */
  latencyRate?: number;
  /** The injected delay (honours the call's abort signal). Milliseconds. Default: 0. */
  latencyMs?: number;
  /** Randomness in [0, 1). Default: `Math.random`. */
  random?: () => number;
  /** Time for the delay. Default: `systemClock`. */
  clock?: Clock;
}

/** The resolved form, shared with `chaosFetch`. */
export interface ResolvedChaos {
  readonly faultRate: number;
  readonly fault: () => Error;
  readonly latencyRate: number;
  readonly latencyMs: number;
  readonly random: () => number;
  readonly clock: Clock;
  readonly statusRate: number;
  readonly status: number;
}

const chaosFault = (): Error =>
  new ResilienceError('ERR_RESILIENCE_CHAOS', 'A fault was injected on purpose.');

type AllChaos = ChaosOptions & { statusRate?: number; status?: number };

/** Validates chaos options; `withStatus` admits `chaosFetch`'s `statusRate` and `status`. */
export function resolveChaos(options: AllChaos | undefined, withStatus: boolean): ResolvedChaos {
  const chance = rules.number({ min: 0, max: 1 });
  const base: OptionRules<ChaosOptions> = {
    faultRate: chance,
    latencyRate: chance,
    latencyMs: rules.durationMs({ min: 0 }),
    fault: rules.func<() => Error>(),
    random: rules.func<() => number>(),
    clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
  };
  const all: OptionRules<AllChaos> = {
    ...base,
    statusRate: chance,
    status: rules.integer({ min: 200, max: 599 }),
  };
  const resolved = resolveOptions<AllChaos, Partial<AllChaos>>(
    'options',
    options,
    { ...DEFAULTS.chaos, random: Math.random, clock: systemClock, fault: chaosFault },
    (withStatus ? all : base) as OptionRules<AllChaos>,
  );
  return { ...DEFAULTS.chaos, ...resolved } as ResolvedChaos;
}

/** Runs the latency and fault parts of chaos before a call. */
export async function injectChaos(
  chaos: ResolvedChaos,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (chaos.latencyMs > 0 && chaos.random() < chaos.latencyRate) {
    await chaos.clock.sleep(chaos.latencyMs, signal);
  }
  if (chaos.random() < chaos.faultRate) throw chaos.fault();
}

/**
 * Wraps an async function so some calls are slowed or fail, on purpose. When the first argument
 * has a `signal` (a pipeline's attempt context), the injected delay honours it.
 *
 * @example
 * ```ts
 * import { createPipeline, withChaos } from '@portcullis/resilience';
 * const flaky = withChaos(async () => 'ok', { faultRate: 0.2, latencyRate: 0.1, latencyMs: 300 });
 * await createPipeline().execute(flaky);
 * ```
 */
export function withChaos<A extends unknown[], R>(
  fn: (...args: A) => Promise<R> | R,
  options?: ChaosOptions,
): (...args: A) => Promise<R> {
  const chaos = resolveChaos(options, false);
  return async (...args: A) => {
    const first = args[0] as { signal?: unknown } | undefined;
    const signal = first?.signal instanceof AbortSignal ? first.signal : undefined;
    await injectChaos(chaos, signal);
    return fn(...args);
  };
}
