import { invalidArgument } from '../errors/invalidArgument.ts';

/**
 * Checks one option's value and returns it, typed. Throws a `TypeError` (via
 * {@link invalidArgument}) naming `path` when the value is wrong. `undefined` reaches a rule only
 * when the option was not given and has no default.
 */
export type Rule<V> = (value: unknown, path: string) => V;

/** One {@link Rule} per option of `T`. */
export type OptionRules<T> = { readonly [K in keyof T]-?: Rule<T[K]> };

/** Edit distance, for the "did you mean" hint on an unknown option. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const held = row[j] as number;
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + cost);
      prev = held;
    }
  }
  return row[b.length] as number;
}

/** The known name closest to `key`, when it is close enough to be a likely typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = distance(key, name);
    if (d < bestScore) {
      best = name;
      bestScore = d;
    }
  }
  const shared =
    best !== undefined && (best.startsWith(key.slice(0, 5)) || key.startsWith(best.slice(0, 5)));
  return best !== undefined && (bestScore <= Math.max(2, Math.floor(key.length / 3)) || shared)
    ? best
    : undefined;
}

/**
 * Refuses keys of `input` that are not in `known`: a `TypeError` (`ERR_INVALID_ARG_VALUE`) that
 * names the key and suggests the closest known one. Keys whose value is `undefined` count too.
 */
export function refuseUnknownKeys(input: object, known: readonly string[], path: string): void {
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue;
    const hint = closest(key, known);
    const error = invalidArgument(
      `${path}.${key}`,
      hint === undefined
        ? 'a known option (it is not one)'
        : `a known option; did you mean "${hint}"?`,
      'value',
    );
    error.message = `Unknown option "${path}.${key}".${hint === undefined ? '' : ` Did you mean "${hint}"?`}`;
    throw error;
  }
}

/** Whether `value` is a plain options object (not null, an array, a function or a class instance). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Validates an options object once, when the object that takes it is built: every field is checked
 * by its rule, absent fields take `defaults`, unknown keys are refused. Returns a complete object,
 * so the rest of a package never writes `?? default`.
 *
 * @param path how the options are named in messages, e.g. `'options'` or `'options.fleet'`.
 * @example
 * ```ts
 * import { resolveOptions, rules } from '@portcullis/core';
 * interface PollOptions { intervalMs?: number; label?: string }
 * const DEFAULTS = { intervalMs: 1000 } as const;
 * const resolved = resolveOptions<PollOptions, typeof DEFAULTS>('options', { intervalMs: 250 }, DEFAULTS, {
 *   intervalMs: rules.durationMs(),
 *   label: rules.optional(rules.string()),
 * });
 * resolved.intervalMs; // 250
 * ```
 */
export function resolveOptions<T extends object, D extends Partial<T>>(
  path: string,
  input: T | undefined,
  defaults: D,
  optionRules: OptionRules<T>,
): Required<Pick<T, keyof D & keyof T>> & Omit<T, keyof D> {
  if (input !== undefined && !isPlainObject(input)) throw invalidArgument(path, 'an object');
  const given = (input ?? {}) as Record<string, unknown>;
  refuseUnknownKeys(given, Object.keys(optionRules), path);
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(optionRules) as [string, Rule<unknown>][]) {
    const value =
      given[key] === undefined ? (defaults as Record<string, unknown>)[key] : given[key];
    const checked = rule(value, `${path}.${key}`);
    if (checked !== undefined) out[key] = checked;
  }
  return out as Required<Pick<T, keyof D & keyof T>> & Omit<T, keyof D>;
}
