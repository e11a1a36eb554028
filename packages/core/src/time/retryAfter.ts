/** Digits only, as RFC 9110 §10.2.3 writes delay-seconds. */
const SECONDS = /^\d{1,10}$/;
/** IMF-fixdate, the HTTP-date form servers must send (RFC 9110 §5.6.7). Obsolete forms are refused. */
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Reads a `Retry-After` value (delay-seconds or an IMF-fixdate HTTP-date) as milliseconds from
 * `nowMs`, capped at `maxMs`. A date in the past is 0. Returns `undefined` for a missing or
 * malformed value, including a repeated header joined with a comma (`"120, 5"`): a value that
 * cannot be read is ignored rather than guessed at.
 *
 * @param value the header value (`headers.get('retry-after')`).
 * @param nowMs the current time from the caller's `Clock`.
 * @param maxMs the longest wait to honour; a server cannot park a client for longer.
 * @example
 * ```ts
 * import { parseRetryAfter } from '@portcullis/core';
 * parseRetryAfter('120', Date.now(), 60_000); // 60000 (capped)
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.parse('2026-10-21T07:27:00Z'), 300_000); // 60000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
  maxMs: number,
): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (SECONDS.test(text)) return Math.min(Number(text) * 1000, maxMs);
  if (!IMF_FIXDATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), maxMs);
}
