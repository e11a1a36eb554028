const BRAND = Symbol.for('@portcullis/error');

/** Options shared by every Portcullis error. */
export interface PortcullisErrorOptions {
  /**
   * The underlying error, kept for operators (logs, debuggers). Never serialised by `toJSON()`,
   * never shown to a caller. Default: none.
   */
  cause?: unknown;
  /** The HTTP status a server should answer with when this error reaches it. Default: none. */
  status?: number;
}

/** What `PortcullisError#toJSON()` returns: safe to send to the caller that caused the error. */
export interface PortcullisErrorJSON {
  name: string;
  code: string;
  message: string;
  status?: number;
}

/**
 * The base of every error a Portcullis package throws for bad input or a failed check.
 *
 * - `code` is stable across releases (`ERR_<AREA>_<WHAT>`, upper snake case, as Node and `jose`
 *   name theirs); match on it, never on the message.
 * - `message` is written to be safe to show the caller: it never contains a secret, a token, an
 *   expected signature or a payload.
 * - `cause` keeps the underlying error for operators and is left out of `toJSON()`.
 * - `status` is the HTTP status a server should answer with, where one fits.
 *
 * Each package subclasses it once (`WebhookError`, `OAuthError`, …) and sets `name`. Misuse of an
 * API (a wrong argument type) is a `TypeError` with a Node-style code instead, see
 * {@link invalidArgument}.
 *
 * @example
 * ```ts
 * import { PortcullisError, isPortcullisError } from '@portcullis/core';
 *
 * try {
 *   throw new PortcullisError('ERR_EXAMPLE_REFUSED', 'The request was refused.', { status: 403 });
 * } catch (error) {
 *   if (isPortcullisError(error, 'ERR_EXAMPLE_REFUSED')) console.log(error.status); // 403
 * }
 * ```
 */
export class PortcullisError extends Error {
  /** Stable, documented, machine-readable: `ERR_WEBHOOK_TIMESTAMP_OUT_OF_RANGE`. */
  readonly code: string;
  /** Suggested HTTP status for a server that surfaces this error, if one fits. */
  readonly status: number | undefined;
  override name = 'PortcullisError';

  constructor(code: string, message: string, options: PortcullisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The caller-safe view: `name`, `code`, `message`, `status`. Never `cause` or `stack`. */
  toJSON(): PortcullisErrorJSON {
    const json: PortcullisErrorJSON = { name: this.name, code: this.code, message: this.message };
    if (this.status !== undefined) json.status = this.status;
    return json;
  }
}

/**
 * Whether `value` is a Portcullis error (optionally with the given `code`). Checks a brand shared
 * through `Symbol.for`, so it still matches when two copies of a package are installed, where
 * `instanceof` would not.
 *
 * @example
 * ```ts
 * import { isPortcullisError } from '@portcullis/core';
 * const error: unknown = new Error('x');
 * isPortcullisError(error); // false
 * ```
 */
export function isPortcullisError(value: unknown, code?: string): value is PortcullisError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (value as PortcullisError).code === code)
  );
}
