// The types a store and the algorithms share: what one rule looks like and what it answers.

/** Which algorithm a rule uses: `'gcra'` or `'sliding-window'`. */
export type Algorithm = 'gcra' | 'sliding-window';

/** What a store needs to know about one rule. */
export interface RuleShape {
  readonly algorithm: Algorithm;
  /** Requests allowed per window. */
  readonly limit: number;
  /** Window length in milliseconds. */
  readonly windowMs: number;
}

/** A rule's stored state: GCRA `[excess, at]`, sliding window `[windowIndex, current, previous]`. */
export type RuleState = readonly number[];

/** One rule's answer to one request. */
export interface Outcome {
  readonly allowed: boolean;
  /** Requests still allowed right now after this one (0 when refused). */
  readonly remaining: number;
  /** Milliseconds until the quota is fully available again (GCRA) or the window ends (sliding). */
  readonly resetMs: number;
  /** Milliseconds until a refused request would be allowed; 0 when allowed. */
  readonly retryAfterMs: number;
}
