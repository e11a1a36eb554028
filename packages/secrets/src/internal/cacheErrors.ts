import { SecretsError } from '../errors/SecretsError.ts';
import type { Entry } from './entry.ts';

/** A read after `close()`. */
export function closedError(name: string): SecretsError {
  return new SecretsError(
    'ERR_SECRET_PROVIDER_UNAVAILABLE',
    `The secrets cache is closed (reading "${name}").`,
    {
      secretName: name,
    },
  );
}

/** Last-known-good is past `maxStaleMs` and the provider still fails. */
export function staleError(
  entry: Entry,
  kind: string,
  ageMs: number,
  maxStaleMs: number,
): SecretsError {
  return new SecretsError(
    'ERR_SECRET_STALE',
    `Secret "${entry.name}": the ${kind} provider keeps failing and the last value is ${ageMs} ms old (maxStaleMs ${maxStaleMs}).`,
    { secretName: entry.name, cause: entry.lastError },
  );
}

/** A read with `maxAgeMs` whose refresh failed transiently. */
export function tooOld(name: string, cause: unknown): SecretsError {
  return new SecretsError(
    'ERR_SECRET_STALE',
    `Secret "${name}" could not be refreshed to the age asked for (maxAgeMs).`,
    {
      secretName: name,
      cause,
    },
  );
}
