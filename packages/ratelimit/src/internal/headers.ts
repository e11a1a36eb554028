/** What a policy entry needs. */
interface Policy {
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

// draft-ietf-httpapi-ratelimit-headers (-08 onwards): two List fields of Structured Fields items,
// each a quoted String naming the policy, with Integer parameters.
//   RateLimit-Policy: "burst";q=10;w=1, "hour";q=1000;w=3600
//   RateLimit: "burst";r=3;t=1
// Rule names are checked at construction to be sf-string safe (printable ASCII, no `"` or `\`).

const seconds = (ms: number): number => Math.ceil(ms / 1000);

/** `"name";q=limit;w=windowSec` for each live rule, comma separated. */
export function policyHeader(live: readonly Policy[]): string {
  return live.map((r) => `"${r.name}";q=${r.limit};w=${seconds(r.windowMs)}`).join(', ');
}

/** `"name";r=remaining;t=resetSec` for the deciding rule. */
export function rateLimitHeader(name: string, remaining: number, resetMs: number): string {
  return `"${name}";r=${remaining};t=${seconds(resetMs)}`;
}

/** `Retry-After` as delay-seconds: whole seconds, at least 1. */
export function retryAfterHeader(ms: number): string {
  return String(Math.max(1, seconds(ms)));
}
