/** How a backoff spreads its delays. */
export type Jitter =
  /** A delay drawn uniformly from `[0, cap]` (AWS's "full jitter"): the widest spread. */
  | 'full'
  /** A delay drawn uniformly from `[cap/2, cap]`: never shorter than half the cap. */
  | 'half'
  /** Exactly the cap: no spread (for tests and for schedules that must be exact). */
  | 'none';

/** A capped exponential backoff: the cap for attempt `n` is `min(maxMs, initialMs * multiplier^(n-1))`. */
export interface BackoffOptions {
  /** The cap for the first retry. Milliseconds. */
  initialMs: number;
  /** The largest cap. Milliseconds. */
  maxMs: number;
  /** Growth per attempt. Default: 2. */
  multiplier?: number;
  /** How the delay is spread below the cap. Default: `'full'`. */
  jitter?: Jitter;
}

/**
 * The delay before retry number `attempt` (1 for the first retry) of a capped exponential backoff
 * with the chosen jitter. `random` returns a number in `[0, 1)` (inject it in tests). Pure: the
 * caller keeps the attempt count.
 *
 * @example
 * ```ts
 * import { exponentialBackoffMs } from '@portcullis/core';
 * const delay = exponentialBackoffMs(3, { initialMs: 500, maxMs: 30_000, jitter: 'half' }, Math.random);
 * // a delay in [1000, 2000]
 * ```
 */
export function exponentialBackoffMs(
  attempt: number,
  { initialMs, maxMs, multiplier = 2, jitter = 'full' }: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 1023));
  const cap = Math.min(maxMs, initialMs * multiplier ** exponent);
  if (jitter === 'none') return Math.round(cap);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(jitter === 'half' ? cap / 2 + (cap / 2) * r : cap * r);
}
