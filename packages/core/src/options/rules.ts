import { invalidArgument } from '../errors/invalidArgument.ts';
import { type OptionRules, type Rule, resolveOptions } from './resolveOptions.ts';

/** Bounds for a numeric option. */
export interface NumberBounds {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). Default: no limit. */
  max?: number;
}

/** The longest duration a timer can wait in one hop (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

function required<V>(value: unknown, path: string, what: string): V {
  if (value === undefined) throw invalidArgument(path, what);
  return value as V;
}

function numberIn(
  value: unknown,
  path: string,
  integer: boolean,
  min: number,
  max: number,
  what: string,
): number {
  required(value, path, what);
  if (typeof value !== 'number') throw invalidArgument(path, what);
  if (
    !Number.isFinite(value) ||
    (integer && !Number.isInteger(value)) ||
    value < min ||
    value > max
  ) {
    throw invalidArgument(path, what, 'value');
  }
  return value;
}

function range(min: number, max: number): string {
  return max === Number.POSITIVE_INFINITY ? `at least ${min}` : `between ${min} and ${max}`;
}

/**
 * The rules {@link resolveOptions} applies to options, one per kind of value. Each returns a
 * {@link Rule}; wrap one in `optional()` for an option that may stay unset.
 *
 * @example
 * ```ts
 * import { rules } from '@portcullis/core';
 * const timeout = rules.durationMs({ max: 60_000 });
 * timeout(5000, 'options.timeoutMs'); // 5000
 * ```
 */
export const rules = {
  /**
   * A duration in whole milliseconds: by default at least 1 (zero, negative and `NaN` refused)
   * and at most 2^31 - 1. Pass `min: 0` where zero means "off".
   */
  durationMs({ min = 1, max = MAX_TIMER_MS }: NumberBounds = {}): Rule<number> {
    const what = `a whole number of milliseconds ${range(min, max)}`;
    return (value, path) => numberIn(value, path, true, min, max, what);
  },
  /** A duration in seconds (fractions allowed): by default greater than 0. */
  durationSec({
    min = Number.MIN_VALUE,
    max = Number.POSITIVE_INFINITY,
  }: NumberBounds = {}): Rule<number> {
    const what =
      min === Number.MIN_VALUE
        ? 'a positive number of seconds'
        : `a number of seconds ${range(min, max)}`;
    return (value, path) => numberIn(value, path, false, min, max, what);
  },
  /** A whole count: by default at least 1. */
  integer({ min = 1, max = Number.MAX_SAFE_INTEGER }: NumberBounds = {}): Rule<number> {
    const what = `an integer ${range(min, max)}`;
    return (value, path) => numberIn(value, path, true, min, max, what);
  },
  /** Any finite number within bounds: by default 0 to 1 (a ratio). */
  number({ min = 0, max = 1 }: NumberBounds = {}): Rule<number> {
    const what = `a number ${range(min, max)}`;
    return (value, path) => numberIn(value, path, false, min, max, what);
  },
  /** `true` or `false`. */
  boolean(): Rule<boolean> {
    return (value, path) => {
      if (typeof value !== 'boolean') throw invalidArgument(path, 'a boolean');
      return value;
    };
  },
  /** A string; by default a non-empty one. */
  string({ allowEmpty = false }: { allowEmpty?: boolean } = {}): Rule<string> {
    const what = allowEmpty ? 'a string' : 'a non-empty string';
    return (value, path) => {
      if (typeof value !== 'string') throw invalidArgument(path, what);
      if (!allowEmpty && value.length === 0) throw invalidArgument(path, what, 'value');
      return value;
    };
  },
  /** One of a fixed set of values (compared with `===`). */
  oneOf<const V extends string | number | boolean>(values: readonly V[]): Rule<V> {
    const what = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
    return (value, path) => {
      if (!values.includes(value as V)) {
        throw invalidArgument(path, what, typeof value === typeof values[0] ? 'value' : 'type');
      }
      return value as V;
    };
  },
  /**
   * A function.
   *
   * @typeParam F - the function's type (not checked at run time: only that it is a function).
   */
  func<F extends (...args: never[]) => unknown>(): Rule<F> {
    return (value, path) => {
      if (typeof value !== 'function') throw invalidArgument(path, 'a function');
      return value as F;
    };
  },
  /** An object with the given methods (e.g. a `Store` or a `Clock`). */
  implementing<O extends object>(...methods: readonly string[]): Rule<O> {
    const what = `an object with ${methods.map((m) => `${m}()`).join(', ')}`;
    return (value, path) => {
      if (typeof value !== 'object' || value === null) throw invalidArgument(path, what);
      for (const m of methods) {
        if (typeof (value as Record<string, unknown>)[m] !== 'function')
          throw invalidArgument(path, what);
      }
      return value as O;
    };
  },
  /**
   * A nested options object, resolved like the top level: its own defaults, rules and unknown-key
   * check. An absent object resolves to its defaults.
   */
  object<T extends object, D extends Partial<T>>(
    defaults: D,
    optionRules: OptionRules<T>,
  ): Rule<Required<Pick<T, keyof D & keyof T>> & Omit<T, keyof D>> {
    return (value, path) =>
      resolveOptions<T, D>(path, value as T | undefined, defaults, optionRules);
  },
  /** Lets the option stay `undefined`; any other value goes through `rule`. */
  optional<V>(rule: Rule<V>): Rule<V | undefined> {
    return (value, path) => (value === undefined ? undefined : rule(value, path));
  },
  /** Accepts whatever `check` accepts: `check` returns the value or throws via `invalidArgument`. */
  custom<V>(check: (value: unknown, path: string) => V): Rule<V> {
    return check;
  },
} as const;
