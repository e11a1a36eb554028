import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes a {@link CliError} carries. Match on these, never on messages. */
export type CliErrorCode =
  | 'ERR_CLI_USAGE'
  | 'ERR_CLI_SECRET_MISSING'
  | 'ERR_CLI_INPUT_UNREADABLE'
  | 'ERR_CLI_REQUEST_MALFORMED'
  | 'ERR_CLI_AUDIT_CHAIN_BROKEN'
  | 'ERR_CLI_INTERNAL';

/** The exit code each {@link CliErrorCode} ends the command with. */
const EXIT: Record<CliErrorCode, number> = {
  ERR_CLI_USAGE: 2,
  ERR_CLI_SECRET_MISSING: 2,
  ERR_CLI_INPUT_UNREADABLE: 2,
  ERR_CLI_REQUEST_MALFORMED: 2,
  ERR_CLI_AUDIT_CHAIN_BROKEN: 1,
  ERR_CLI_INTERNAL: 3,
};

/**
 * A failure of the `portcullis` command itself (not of a package it calls): a wrong argument, a
 * secret that could not be read, an unreadable input, a broken audit chain. `exitCode` is what the
 * command exits with. The message never holds a secret, a file's content or a header value.
 *
 * | code | exit | meaning |
 * | --- | --- | --- |
 * | `ERR_CLI_USAGE` | 2 | a missing, unknown or conflicting argument |
 * | `ERR_CLI_SECRET_MISSING` | 2 | no secret source given, or the source is empty or unset |
 * | `ERR_CLI_INPUT_UNREADABLE` | 2 | a file could not be read, or stdin was asked for twice |
 * | `ERR_CLI_REQUEST_MALFORMED` | 2 | a raw HTTP request file could not be parsed |
 * | `ERR_CLI_AUDIT_CHAIN_BROKEN` | 1 | `audit verify` found an edit, deletion, insertion or reordering |
 * | `ERR_CLI_INTERNAL` | 3 | an unexpected failure (a bug: please report it) |
 *
 * @example
 * ```ts
 * import { CliError, isCliError } from '@portcullis/cli';
 * const error = new CliError('ERR_CLI_USAGE', 'Give --body or --request.');
 * isCliError(error, 'ERR_CLI_USAGE'); // true
 * error.exitCode; // 2
 * ```
 */
export class CliError extends PortcullisError {
  declare readonly code: CliErrorCode;
  /** The process exit code for this failure. */
  readonly exitCode: number;
  override name = 'CliError';

  constructor(code: CliErrorCode, message: string, options: PortcullisErrorOptions = {}) {
    super(code, message, options);
    this.exitCode = EXIT[code];
  }
}

/**
 * Whether `value` is a {@link CliError} (optionally with `code`), by brand and code prefix.
 *
 * @example
 * ```ts
 * import { isCliError } from '@portcullis/cli';
 * isCliError(new Error('x')); // false
 * ```
 */
export function isCliError(value: unknown, code?: CliErrorCode): value is CliError {
  return isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_CLI_');
}

/** `ERR_CLI_USAGE` with `message`. */
export function usage(message: string): CliError {
  return new CliError('ERR_CLI_USAGE', message);
}
