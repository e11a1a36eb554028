import type { Redacted } from '@portcullis/core';
import type { JsonSchema } from '../cache/SecretsCache.ts';
import { SecretsError } from '../errors/SecretsError.ts';
import type { SecretVersion } from '../SecretProvider.ts';
import { asText } from './values.ts';

function invalid(name: string, why: string): SecretsError {
  return new SecretsError('ERR_SECRET_INVALID', `Secret "${name}" ${why}.`, { secretName: name });
}

/**
 * Parses a JSON secret and checks it with a zod schema. Errors carry no `cause` and no issue
 * messages: `JSON.parse` quotes the input and schema messages may quote values. Only issue
 * paths and codes are named.
 */
export function parseJsonSecret<T>(
  name: string,
  value: Redacted<string>,
  schema: JsonSchema<T>,
): T {
  let data: unknown;
  try {
    data = JSON.parse(value.reveal());
  } catch {
    throw invalid(name, 'is not valid JSON');
  }
  let result: ReturnType<JsonSchema<T>['safeParse']>;
  try {
    result = schema.safeParse(data);
  } catch {
    throw invalid(name, 'could not be checked by the schema');
  }
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 5)
    .map(
      (issue) =>
        `${issue.path.map((p) => String(p).slice(0, 40)).join('.') || '(root)'}: ${issue.code ?? 'invalid'}`,
    )
    .join('; ');
  throw invalid(name, `does not match the schema (${issues})`);
}

/** Parsed JSON secrets, kept per version object and schema (a new version is parsed again). */
export class JsonSecrets {
  readonly #parsed = new WeakMap<object, WeakMap<object, unknown>>();

  parse<T>(name: string, version: SecretVersion, schema: JsonSchema<T>): T {
    let bySchema = this.#parsed.get(version);
    if (bySchema === undefined) {
      bySchema = new WeakMap();
      this.#parsed.set(version, bySchema);
    }
    if (bySchema.has(schema)) return bySchema.get(schema) as T;
    const parsed = parseJsonSecret(name, asText(name, version.value), schema);
    bySchema.set(schema, parsed);
    return parsed;
  }
}
