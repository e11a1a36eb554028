import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import {
  type BoundaryError,
  type BoundaryIssue,
  isBoundaryError,
} from '../errors/BoundaryError.ts';
import { checkTree } from '../internal/checkParsed.ts';
import { findUnknownKeys } from '../internal/unknownKeys.ts';
import { type BoundarySchema, isSchema, mismatch, validate } from '../internal/validate.ts';
import { type JsonInput, parseText, toText } from '../json/parseJson.ts';
import { DEFAULTS, type Limits, type ResolvedLimits, resolveLimits } from '../options.ts';

/** Options of {@link defineBoundary}. */
export interface BoundaryOptions<S extends BoundarySchema, T> {
  /**
   * The external shape: a zod v4 schema or any Standard Schema validator (valibot, ArkType, an
   * ajv-backed one). It must validate synchronously. Required.
   */
  schema: S;
  /** Turns the validated external shape into the internal type. Default: none (the output as is). */
  transform?: (value: StandardSchemaV1.InferOutput<S>) => T;
  /**
   * Keys the schema does not declare: `'strip'` drops them (what zod and valibot objects do:
   * data minimisation) and `'strict'` refuses the input, one issue per unknown key.
   * Default: `'strip'`.
   */
  unknownKeys?: 'strip' | 'strict';
  /** Most issues an error lists (the rest are counted in its message). Default: 20. */
  maxIssues?: number;
  /** Limits checked before the schema sees the input. Default: `DEFAULTS.limits`. */
  limits?: Limits;
}

/** The outcome of {@link Boundary.safeParse}. */
export type BoundaryResult<T> = { ok: true; value: T } | { ok: false; error: BoundaryError };

/** A boundary adapter: external data in, the internal type out, or a `BoundaryError`. */
export interface Boundary<T> {
  /** Checks an already-parsed value (limits, forbidden keys, then the schema). Throws `BoundaryError`. */
  parse(value: unknown): T;
  /** Parses a raw JSON body (text or UTF-8 bytes) with the limits, then as {@link parse}. */
  parseJson(body: JsonInput): T;
  /** {@link parse} without throwing for refused input (a misconfigured schema still throws). */
  safeParse(value: unknown): BoundaryResult<T>;
  /**
   * {@link parseJson} without throwing for refused input: the cheapest way to refuse, since a
   * schema refusal then costs no `throw` (attackers choose how often you refuse).
   */
  safeParseJson(body: JsonInput): BoundaryResult<T>;
}

interface Resolved<S extends BoundarySchema, T> {
  schema: S;
  transform: ((value: StandardSchemaV1.InferOutput<S>) => T) | undefined;
  unknownKeys: 'strip' | 'strict';
  maxIssues: number;
  limits: ResolvedLimits;
}

function resolve<S extends BoundarySchema, T>(options: BoundaryOptions<S, T>): Resolved<S, T> {
  const resolved = resolveOptions<BoundaryOptions<S, T>, typeof DEFAULTS.boundary>(
    'options',
    options,
    DEFAULTS.boundary,
    {
      schema: rules.custom((value, path) => {
        if (!isSchema(value)) throw invalidArgument(path, 'a zod or Standard Schema schema');
        return value as S;
      }),
      transform: rules.optional(rules.func<(value: StandardSchemaV1.InferOutput<S>) => T>()),
      unknownKeys: rules.oneOf(['strip', 'strict'] as const),
      maxIssues: rules.integer({ max: 1000 }),
      limits: rules.custom((value, path) => resolveLimits(value as Limits | undefined, path)),
    },
  );
  return { ...resolved, transform: resolved.transform, limits: resolved.limits as ResolvedLimits };
}

/**
 * Defines where one kind of external data enters: limits first (size, depth, keys, arrays,
 * strings, `__proto__`), then the schema, then `transform` into your internal type. Refusals are
 * a `BoundaryError` (`ERR_BOUNDARY_SCHEMA_MISMATCH`, status 422, for the schema) whose bounded
 * `issues` give a path and the kind of value expected, never the value or an expected literal.
 * zod is run without building its messages, so a refusal costs about what an acceptance does.
 *
 * @example
 * ```ts
 * import { defineBoundary } from '@portcullis/boundary';
 * import { z } from 'zod';
 *
 * const invoicePaid = defineBoundary({
 *   schema: z.object({ id: z.string(), data: z.object({ amount_paid: z.number().int() }) }),
 *   transform: (event) => ({ eventId: event.id, cents: event.data.amount_paid }),
 * });
 * const internal = invoicePaid.parseJson('{"id":"evt_1","data":{"amount_paid":4200}}');
 * internal.cents; // 4200
 * ```
 */
export function defineBoundary<S extends BoundarySchema, T = StandardSchemaV1.InferOutput<S>>(
  options: BoundaryOptions<S, T>,
): Boundary<T> {
  const { schema, transform, unknownKeys, maxIssues, limits } = resolve(options);
  const strict = unknownKeys === 'strict';

  function checked(value: unknown): BoundaryResult<T> {
    const result = validate(schema, value, maxIssues);
    if (!result.ok) return result;
    if (strict) {
      const issues: BoundaryIssue[] = [];
      const found = findUnknownKeys(value, result.value, [], issues, maxIssues);
      if (found > 0) return { ok: false, error: mismatch(issues, found) };
    }
    const output = result.value as StandardSchemaV1.InferOutput<S>;
    return { ok: true, value: transform === undefined ? (output as T) : transform(output) };
  }

  function unwrap(result: BoundaryResult<T>): T {
    if (!result.ok) throw result.error;
    return result.value;
  }

  return {
    parse(value) {
      checkTree(value, limits);
      return unwrap(checked(value));
    },
    parseJson(body) {
      return unwrap(checked(parseText(toText(body, limits.maxBytes), limits)));
    },
    safeParse(value) {
      try {
        checkTree(value, limits);
      } catch (error) {
        if (isBoundaryError(error)) return { ok: false, error };
        throw error;
      }
      return checked(value);
    },
    safeParseJson(body) {
      let value: unknown;
      try {
        value = parseText(toText(body, limits.maxBytes), limits);
      } catch (error) {
        if (isBoundaryError(error)) return { ok: false, error };
        throw error;
      }
      return checked(value);
    },
  };
}
