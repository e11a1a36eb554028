import type { Redacted } from '@portcullis/core';

/**
 * An access token as the provider hands it out. The token itself is `Redacted`: printing,
 * logging or serialising an `AccessToken` shows `[REDACTED]`; only `value.reveal()` reads it.
 * `fingerprint` is safe to log and compare when debugging ("which token did this call use?").
 *
 * @example
 * ```ts
 * import type { AccessToken } from '@portcullis/oauth';
 * function header(token: AccessToken): string {
 *   return `${token.type} ${token.value.reveal()}`;
 * }
 * ```
 */
export interface AccessToken {
  /** The token, boxed. */
  readonly value: Redacted<string>;
  /** `'Bearer'`, or `'DPoP'` for a sender-constrained token (RFC 9449). */
  readonly type: 'Bearer' | 'DPoP';
  /** When the token expires, in milliseconds since the epoch (timed from when the request was sent). */
  readonly expiresAt: number;
  /** When the token request was sent, in milliseconds since the epoch. */
  readonly issuedAt: number;
  /** The granted scopes: the response's `scope`, or the requested ones when it has none. */
  readonly scopes: readonly string[];
  /**
   * `sha256:` and the first 12 hex digits of the token's SHA-256: identifies the token in logs
   * without revealing it (too short to be used or reversed).
   */
  readonly fingerprint: string;
}
