import type { Algorithm } from './internal/algorithms.ts';

/** How a rule acts: `live` refuses over its limit; `dry-run` decides and reports, never refuses. */
export type RuleMode = 'live' | 'dry-run';

/** What happened when the store could not decide, if it could not. */
export type Degraded = 'open' | 'closed' | 'local';

/** One rule's part of a {@link Decision}. */
export interface RuleResult {
  /** The rule's name (also its `RateLimit-Policy` identifier). */
  readonly name: string;
  readonly mode: RuleMode;
  readonly algorithm: Algorithm;
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
  /** Whether this rule alone would allow the request (a `dry-run` rule never refuses it). */
  readonly allowed: boolean;
  /** Requests still allowed right now. */
  readonly remaining: number;
  /** Milliseconds until the quota is whole again (GCRA) or the current window ends (sliding window). */
  readonly resetMs: number;
  /** Milliseconds until this rule would allow the request; 0 when it allows it. */
  readonly retryAfterMs: number;
}

/**
 * The answer to one `check(key)`: every rule's result composed into one. `allowed` is false when
 * any `live` rule refused (or the store failed with `onStoreFailure: 'closed'`); `rule` names the
 * rule that decided (the refusing live rule that waits longest, else the live rule nearest its
 * limit) and `remaining` / `resetMs` / `retryAfterMs` are that rule's.
 */
export interface Decision {
  readonly allowed: boolean;
  /** The name of the rule that decided. */
  readonly rule: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
  /** Milliseconds to wait before retrying; 0 when allowed. */
  readonly retryAfterMs: number;
  /** Every rule's own result, in the order the rules were given. */
  readonly rules: readonly RuleResult[];
  /** Names of `dry-run` rules that would have refused this request. */
  readonly dryRunRefusals: readonly string[];
  /** `false` when the store decided; otherwise which `onStoreFailure` choice was applied. */
  readonly degraded: false | Degraded;
  /**
   * Response header values (draft-ietf-httpapi-ratelimit-headers, structured fields):
   * `RateLimit-Policy` (every live rule), `RateLimit` (the deciding rule) and, when refused,
   * `Retry-After` (whole seconds). Empty when no rule is live.
   */
  readonly headers: Readonly<Record<string, string>>;
}
