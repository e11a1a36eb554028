// Runs a schema synchronously and returns its output or a BoundaryError, the same way for zod
// (through its raw run, which skips building messages: rejecting costs about what accepting
// does) and for any other Standard Schema validator.
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { BoundaryError, type BoundaryIssue } from '../errors/BoundaryError.ts';
import { fromStandardIssues, fromZodIssues, zodIssueCount } from './issues.ts';

/** A zod v4 schema, seen through the one internal entry its own `safeParse` uses. */
interface ZodLike {
  _zod: {
    run(
      payload: { value: unknown; issues: unknown[] },
      ctx: { async: boolean },
    ): { value: unknown; issues: unknown[] } | Promise<unknown>;
  };
}

/** A schema `defineBoundary`, `importCsv` and `minimize` accept: zod v4 or any Standard Schema. */
export type BoundarySchema<Input = unknown, Output = Input> = StandardSchemaV1<Input, Output>;

/** Whether `schema` is usable: it carries a Standard Schema `validate`. */
export function isSchema(schema: unknown): schema is BoundarySchema {
  return (
    (typeof schema === 'object' || typeof schema === 'function') &&
    schema !== null &&
    typeof (schema as { '~standard'?: { validate?: unknown } })['~standard']?.validate ===
      'function'
  );
}

function isZod(schema: unknown): schema is ZodLike {
  return typeof (schema as Partial<ZodLike>)._zod?.run === 'function';
}

function asyncError(): BoundaryError {
  return new BoundaryError(
    'ERR_BOUNDARY_SCHEMA_ASYNC',
    'The schema validates asynchronously; a boundary needs a synchronous schema.',
  );
}

/**
 * The refusal of a schema. Built without a stack trace: capturing one is most of the cost of a
 * refusal, attackers choose how often we refuse, and the stack of a validation failure says
 * nothing an operator needs (the code and issues do).
 */
export function mismatch(issues: BoundaryIssue[], total: number): BoundaryError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new BoundaryError(
      'ERR_BOUNDARY_SCHEMA_MISMATCH',
      `The input does not have the expected shape (${total} issue${total === 1 ? '' : 's'}).`,
      { issues, truncated: total > issues.length },
    );
  } finally {
    Error.stackTraceLimit = limit;
  }
}

export type Validated = { ok: true; value: unknown } | { ok: false; error: BoundaryError };

/** Validates `value` against `schema`, synchronously; never returns the validator's messages. */
export function validate(schema: BoundarySchema, value: unknown, maxIssues: number): Validated {
  if (isZod(schema)) {
    let result: ReturnType<ZodLike['_zod']['run']>;
    try {
      result = schema._zod.run({ value, issues: [] }, { async: false });
    } catch (error) {
      // zod throws its $ZodAsyncError when an async refinement meets a synchronous run.
      if ((error as Error | undefined)?.constructor?.name === '$ZodAsyncError') throw asyncError();
      throw error;
    }
    if (result instanceof Promise) {
      result.catch(() => undefined); // never an unhandled rejection
      throw asyncError();
    }
    if (result.issues.length === 0) return { ok: true, value: result.value };
    const raw = result.issues as Parameters<typeof fromZodIssues>[0];
    return { ok: false, error: mismatch(fromZodIssues(raw, maxIssues), zodIssueCount(raw)) };
  }
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) {
    result.catch(() => undefined);
    throw asyncError();
  }
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    error: mismatch(fromStandardIssues(result.issues, maxIssues), result.issues.length),
  };
}
