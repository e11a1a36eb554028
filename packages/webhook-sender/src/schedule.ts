import { invalidArgument } from '@portcullis/core';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Retry schedules: the delay before each attempt, the first included. `svix` is Svix's published
 * schedule (about 27.5 hours in all); `short` suits internal receivers; `aggressive` is for tests
 * and demos.
 *
 * @example
 * ```ts
 * import { schedules } from '@portcullis/webhook-sender';
 * schedules.svix.length; // 8 attempts
 * ```
 */
export const schedules: {
  readonly svix: readonly number[];
  readonly short: readonly number[];
  readonly aggressive: readonly number[];
} = Object.freeze({
  svix: Object.freeze([
    0,
    5 * SECOND,
    5 * MINUTE,
    30 * MINUTE,
    2 * HOUR,
    5 * HOUR,
    10 * HOUR,
    10 * HOUR,
  ]),
  short: Object.freeze([0, 5 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE]),
  aggressive: Object.freeze([0, 100, 200, 400]),
});

const MAX_DELAY_MS = 2_147_483_647;

/** Checks a schedule option: 1–50 whole, non-negative delays in milliseconds. */
export function checkSchedule(value: unknown, path: string): readonly number[] {
  const what = 'an array of 1 to 50 delays (whole milliseconds, at least 0)';
  if (!Array.isArray(value)) throw invalidArgument(path, what);
  if (value.length === 0 || value.length > 50) throw invalidArgument(path, what, 'value');
  for (const delay of value) {
    if (typeof delay !== 'number') throw invalidArgument(path, what);
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_DELAY_MS) {
      throw invalidArgument(path, what, 'value');
    }
  }
  return Object.freeze([...value]);
}

/** What decides the delay after a failed attempt. */
export interface RetryInput {
  /** The schedule in force (the endpoint's, or the sender's). */
  schedule: readonly number[];
  /** Attempts made so far (1 after the first). */
  attempts: number;
  /** ± fraction of spread (0.2). */
  jitter: number;
  /** Whether the failure was a 429, 502, 504 or a timeout. */
  throttled: boolean;
  /** Least delay after a throttled failure. */
  throttleBackoffMs: number;
  /** A parsed `Retry-After`, already capped, in milliseconds. */
  retryAfterMs: number | undefined;
  /** `[0, 1)`. */
  random: () => number;
}

/**
 * The delay before the next attempt, or `undefined` when the schedule is used up (the delivery is
 * exhausted). The scheduled delay is spread by ± `jitter`; a throttled failure waits at least
 * `throttleBackoffMs`; a `Retry-After` longer than that is honoured. Pure.
 *
 * @example
 * ```ts
 * import { nextRetryDelayMs, schedules } from '@portcullis/webhook-sender';
 * nextRetryDelayMs({
 *   schedule: schedules.svix, attempts: 2, jitter: 0.2, throttled: false,
 *   throttleBackoffMs: 60_000, retryAfterMs: undefined, random: () => 0.5,
 * }); // 300000 (5 min, the middle of the jitter range)
 * ```
 */
export function nextRetryDelayMs(input: RetryInput): number | undefined {
  const { schedule, attempts, jitter, random } = input;
  if (attempts >= schedule.length) return undefined;
  const planned = schedule[attempts] as number;
  const r = Math.min(Math.max(random(), 0), 1);
  let delay = Math.round(planned * (1 - jitter + 2 * jitter * r));
  if (input.throttled) delay = Math.max(delay, input.throttleBackoffMs);
  if (input.retryAfterMs !== undefined) delay = Math.max(delay, input.retryAfterMs);
  return delay;
}
