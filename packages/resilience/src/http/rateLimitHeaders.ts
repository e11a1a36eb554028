/** Largest delta-seconds value read (a day); anything longer is treated as unreadable. */
const MAX_SECONDS = 86_400;
const SECONDS = /^\d{1,6}$/;

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!SECONDS.test(trimmed)) return undefined;
  const n = Number(trimmed);
  return n <= MAX_SECONDS ? n : undefined;
}

/** Reads `remaining`/`reset` (draft -07) or `r`/`t` (draft -08+) parameters of a `RateLimit` field. */
function fromRateLimitField(value: string): { remaining?: number; resetSec?: number } {
  const out: { remaining?: number; resetSec?: number } = {};
  // One policy item per comma in draft -08+; the first item that says anything is used.
  for (const part of value.split(/[;,]/)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const n = seconds(part.slice(eq + 1));
    if (n === undefined) continue;
    if ((name === 'remaining' || name === 'r') && out.remaining === undefined) out.remaining = n;
    if ((name === 'reset' || name === 't') && out.resetSec === undefined) out.resetSec = n;
  }
  return out;
}

/**
 * When a server's rate-limit headers say the quota is spent, how long until it resets, in
 * milliseconds (capped at `maxMs`); otherwise `undefined`. Reads the IETF `RateLimit` field
 * (draft -07 `remaining=0, reset=30` and draft -08+ `"policy";r=0;t=30`) and the older
 * `RateLimit-Remaining` + `RateLimit-Reset` pair (delta-seconds). `X-RateLimit-Reset` is ignored:
 * providers disagree on whether it is seconds or an epoch time. Malformed values are ignored.
 *
 * @example
 * ```ts
 * import { rateLimitPauseMs } from '@portcullis/resilience';
 * rateLimitPauseMs(new Headers({ ratelimit: 'remaining=0, reset=30' }), 60_000); // 30000
 * ```
 */
export function rateLimitPauseMs(
  headers: { get(name: string): string | null },
  maxMs: number,
): number | undefined {
  let remaining: number | undefined;
  let resetSec: number | undefined;
  const field = headers.get('ratelimit');
  if (field !== null) ({ remaining, resetSec } = fromRateLimitField(field));
  remaining ??= seconds(headers.get('ratelimit-remaining') ?? undefined);
  if (remaining !== 0) return undefined;
  resetSec ??= seconds(headers.get('ratelimit-reset') ?? undefined);
  if (resetSec === undefined) return undefined;
  return Math.min(resetSec * 1000, maxMs);
}
