import { invalidArgument } from '@portcullis/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type BoundarySchema, isSchema, validate } from '../internal/validate.ts';
import { DEFAULTS } from '../options.ts';

/**
 * Keeps only what a third party is allowed to receive: `data` is run through `schema` (zod or a
 * Standard Schema validator whose objects strip undeclared keys, as zod's and valibot's do) and
 * the schema's output is returned, so every field the schema does not name is left behind. Data
 * that does not fit the schema is a `BoundaryError` `ERR_BOUNDARY_SCHEMA_MISMATCH` (a bug on our
 * side, caught before anything is sent). A schema that passes unknown keys through
 * (`z.looseObject`, `.passthrough()`) minimises nothing: declare the egress shape strictly.
 *
 * @example
 * ```ts
 * import { minimize } from '@portcullis/boundary';
 * import { z } from 'zod';
 *
 * const ToCrm = z.object({ id: z.string(), email: z.email() });
 * const user = { id: 'u_1', email: 'ada@example.com', passwordHash: '…', ssn: '…' };
 * minimize(ToCrm, user); // { id: 'u_1', email: 'ada@example.com' }
 * ```
 */
export function minimize<S extends BoundarySchema>(
  schema: S,
  data: unknown,
): StandardSchemaV1.InferOutput<S> {
  if (!isSchema(schema)) throw invalidArgument('schema', 'a zod or Standard Schema schema');
  const result = validate(schema, data, DEFAULTS.boundary.maxIssues);
  if (!result.ok) throw result.error;
  return result.value as StandardSchemaV1.InferOutput<S>;
}
