import { isPortcullisError } from '@portcullis/core';
import { isCliError } from './errors/CliError.ts';

/** The exit codes of the `portcullis` command (the README documents them). */
export interface ExitCodes {
  /** The command did what was asked; a verification passed. */
  readonly ok: 0;
  /** Refused: a signature, token, key, chain or URL failed its check. */
  readonly refused: 1;
  /** Usage: a missing, unknown or conflicting argument, an unreadable input or secret. */
  readonly usage: 2;
  /** Runtime: a peer (authorization server, JWKS, DNS) failed or did not answer, or a bug. */
  readonly runtime: 3;
}

/**
 * The exit codes, by name. Frozen.
 *
 * @example
 * ```ts
 * import { EXIT_CODES } from '@portcullis/cli';
 * EXIT_CODES.refused; // 1
 * ```
 */
export const EXIT_CODES: ExitCodes = Object.freeze({ ok: 0, refused: 1, usage: 2, runtime: 3 });

/** Codes of package errors that mean a peer or the environment failed, not a refusal. */
const RUNTIME = new Set([
  'ERR_APIKEY_REPOSITORY_UNAVAILABLE',
  'ERR_OAUTH_SERVER_UNAVAILABLE',
  'ERR_OAUTH_INVALID_RESPONSE',
  'ERR_OAUTH_DISCOVERY_FAILED',
  'ERR_OAUTH_CREDENTIAL_UNAVAILABLE',
  'ERR_OAUTH_CLOSED',
  'ERR_OAUTH_JWKS_UNAVAILABLE',
  'ERR_EGRESS_DNS_FAILED',
  'ERR_EGRESS_TIMEOUT',
  'ERR_EGRESS_NETWORK',
  'ERR_EGRESS_TLS_FAILED',
  'ERR_STORE_UNAVAILABLE',
]);

/** Codes of package errors that mean the arguments were wrong. */
const USAGE = new Set([
  'ERR_WEBHOOK_SECRET_MALFORMED',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
]);

/** The stable code of any error: its `code`, or `ERR_CLI_INTERNAL` when it has none. */
export function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (isPortcullisError(error) || (error instanceof TypeError && typeof code === 'string'))
    return code as string;
  return 'ERR_CLI_INTERNAL';
}

/** The exit code a failure ends the command with. */
export function exitCodeFor(error: unknown): number {
  if (isCliError(error)) return error.exitCode;
  const code = codeOf(error);
  if (USAGE.has(code)) return EXIT_CODES.usage;
  if (RUNTIME.has(code) || code === 'ERR_CLI_INTERNAL') return EXIT_CODES.runtime;
  return EXIT_CODES.refused;
}
