/** A `TypeError` with a Node-style `code`, for misuse of an API (not for bad external input). */
export interface InvalidArgumentError extends TypeError {
  code: 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';
}

/**
 * Builds the error every package throws when it is called wrongly: a wrong type
 * (`ERR_INVALID_ARG_TYPE`) or a value out of range (`ERR_INVALID_ARG_VALUE`). This is a bug in
 * the calling code, distinct from bad external input, which gets a `PortcullisError`.
 * The message names the argument and what was expected, never the value given.
 *
 * @example
 * ```ts
 * import { invalidArgument } from '@portcullis/core';
 * function setTimeoutMs(ms: number): void {
 *   if (!Number.isInteger(ms) || ms <= 0) throw invalidArgument('timeoutMs', 'a positive integer', 'value');
 * }
 * ```
 */
export function invalidArgument(
  name: string,
  expected: string,
  kind: 'type' | 'value' = 'type',
): InvalidArgumentError {
  const error = new TypeError(
    `The "${name}" argument must be ${expected}.`,
  ) as InvalidArgumentError;
  error.code = kind === 'type' ? 'ERR_INVALID_ARG_TYPE' : 'ERR_INVALID_ARG_VALUE';
  return error;
}
