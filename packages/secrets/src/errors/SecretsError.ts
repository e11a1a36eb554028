import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes a {@link SecretsError} carries. Match on these, never on messages. */
export type SecretsErrorCode =
  | 'ERR_SECRET_NOT_FOUND'
  | 'ERR_SECRET_ACCESS_DENIED'
  | 'ERR_SECRET_INVALID'
  | 'ERR_SECRET_PROVIDER_UNAVAILABLE'
  | 'ERR_SECRET_THROTTLED'
  | 'ERR_SECRET_STALE'
  | 'ERR_SECRET_ROTATION_FAILED'
  | 'ERR_SECRET_ROTATION_IN_PROGRESS';

const STATUS: Record<SecretsErrorCode, number> = {
  ERR_SECRET_NOT_FOUND: 500,
  ERR_SECRET_ACCESS_DENIED: 500,
  ERR_SECRET_INVALID: 500,
  ERR_SECRET_PROVIDER_UNAVAILABLE: 503,
  ERR_SECRET_THROTTLED: 503,
  ERR_SECRET_STALE: 503,
  ERR_SECRET_ROTATION_FAILED: 500,
  ERR_SECRET_ROTATION_IN_PROGRESS: 409,
};

/** Codes of failures that may pass on their own: the cache serves last-known-good through them. */
const TRANSIENT: ReadonlySet<SecretsErrorCode> = new Set([
  'ERR_SECRET_PROVIDER_UNAVAILABLE',
  'ERR_SECRET_THROTTLED',
]);

/** Options of a {@link SecretsError} beyond the base ones. */
export interface SecretsErrorOptions extends PortcullisErrorOptions {
  /** The secret's name (names are not secret; values are never put in an error). */
  secretName?: string;
  /** For `ERR_SECRET_THROTTLED`: how long the provider asked us to wait, in milliseconds. */
  retryAfterMs?: number;
}

/**
 * A secret could not be read, parsed or rotated. `message` names the secret and the provider,
 * never a value; `cause` keeps the backend's error for logs (with any value-bearing fields removed
 * by the provider that wraps it).
 *
 * | code | meaning | the cache |
 * | --- | --- | --- |
 * | `ERR_SECRET_NOT_FOUND` | no such secret or version | surfaces at once |
 * | `ERR_SECRET_ACCESS_DENIED` | the provider refused our credentials (401/403), or the value could not be decrypted | surfaces at once |
 * | `ERR_SECRET_INVALID` | the value does not have the expected shape (`getJson`, binary vs text) | surfaces at once |
 * | `ERR_SECRET_PROVIDER_UNAVAILABLE` | network error, timeout, 5xx | serves last-known-good up to `maxStaleMs` |
 * | `ERR_SECRET_THROTTLED` | the provider throttled us (429) | serves last-known-good, backs off |
 * | `ERR_SECRET_STALE` | last-known-good is older than `maxStaleMs` and the provider still fails | — |
 * | `ERR_SECRET_ROTATION_FAILED` | a rotation step failed (the test hook refused the new version…) | — |
 * | `ERR_SECRET_ROTATION_IN_PROGRESS` | another rotator holds the lock | — |
 *
 * @example
 * ```ts
 * import { isSecretsError, SecretsError } from '@portcullis/secrets';
 * const error = new SecretsError('ERR_SECRET_NOT_FOUND', 'Secret "db" was not found.', { secretName: 'db' });
 * isSecretsError(error, 'ERR_SECRET_NOT_FOUND'); // true
 * ```
 */
export class SecretsError extends PortcullisError {
  declare readonly code: SecretsErrorCode;
  /** The secret's name, where the failure concerns one. */
  readonly secretName: string | undefined;
  /** For throttling: the wait the provider asked for, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  override name = 'SecretsError';

  constructor(code: SecretsErrorCode, message: string, options: SecretsErrorOptions = {}) {
    const { secretName, retryAfterMs, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.secretName = secretName;
    this.retryAfterMs = retryAfterMs;
  }

  /** Whether the failure may pass on its own (network, 5xx, throttling). */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

/**
 * Whether `value` is a {@link SecretsError} (optionally with the given `code`), matched by brand
 * and code so that duplicate installs still match.
 *
 * @example
 * ```ts
 * import { isSecretsError } from '@portcullis/secrets';
 * isSecretsError(new Error('x')); // false
 * ```
 */
export function isSecretsError(value: unknown, code?: SecretsErrorCode): value is SecretsError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_SECRET_')
  );
}
