import {
  boundedCall,
  telemetry as coreTelemetry,
  invalidArgument,
  StoreError,
  type Telemetry,
} from '@portcullis/core';
import type { Decision, Degraded, RuleResult } from './Decision.ts';
import { RateLimitError } from './errors/RateLimitError.ts';
import type { Outcome } from './internal/algorithms.ts';
import { policyHeader, rateLimitHeader, retryAfterHeader } from './internal/headers.ts';
import { type RateLimiterOptions, type ResolvedRule, resolveLimiterOptions } from './options.ts';
import { MemoryRateLimitStore } from './stores/MemoryRateLimitStore.ts';
import type { RateLimitStore, StoreRule } from './stores/RateLimitStore.ts';

/** A limiter made by {@link createRateLimiter}. */
export interface RateLimiter {
  /** Decides one request for `key` (an API key id, an IP, `route:ip`…): never throws for a refusal. */
  check(key: string): Promise<Decision>;
  /** Like `check`, but a refusal rejects with a {@link RateLimitError} (429, or 503 when closed). */
  enforce(key: string): Promise<Decision>;
  /** The rules, as resolved (names, limits, windows, algorithms, modes). */
  readonly rules: readonly ResolvedRule[];
}

const INVALID_ARG = new Set(['ERR_INVALID_ARG_TYPE', 'ERR_INVALID_ARG_VALUE']);

/** Index of the deciding rule: the refusing live rule that waits longest, else the live rule nearest its limit. */
function decidingIndex(
  rules: readonly ResolvedRule[],
  outcomes: readonly Outcome[],
): { index: number; allowed: boolean } {
  let refusing = -1;
  let nearest = -1;
  let any = 0;
  for (let i = 0; i < rules.length; i++) {
    const r = outcomes[i] as Outcome;
    if (r.remaining < (outcomes[any] as Outcome).remaining) any = i;
    if ((rules[i] as ResolvedRule).mode !== 'live') continue;
    if (
      !r.allowed &&
      (refusing < 0 || r.retryAfterMs > (outcomes[refusing] as Outcome).retryAfterMs)
    ) {
      refusing = i;
    }
    const n = nearest < 0 ? undefined : (outcomes[nearest] as Outcome);
    if (
      n === undefined ||
      r.remaining < n.remaining ||
      (r.remaining === n.remaining && r.resetMs > n.resetMs)
    ) {
      nearest = i;
    }
  }
  if (refusing >= 0) return { index: refusing, allowed: false };
  return { index: nearest >= 0 ? nearest : any, allowed: true };
}

// The decision is built lazily: `rules`, `dryRunRefusals` and `headers` are computed when read,
// so a hot path that only looks at `allowed` pays for nothing else.
class ComposedDecision implements Decision {
  readonly allowed: boolean;
  readonly rule: string;
  readonly limit: number;
  readonly remaining: number;
  readonly resetMs: number;
  readonly retryAfterMs: number;
  readonly degraded: false | Degraded;
  readonly #meta: readonly ResolvedRule[];
  readonly #outcomes: readonly Outcome[];
  readonly #index: number;
  readonly #policy: string;
  #rules: RuleResult[] | undefined;
  #headers: Record<string, string> | undefined;

  constructor(
    meta: readonly ResolvedRule[],
    outcomes: readonly Outcome[],
    degraded: false | Degraded,
    policy: string,
  ) {
    let index = 0;
    let allowed: boolean;
    if (meta.length === 1) {
      allowed = (outcomes[0] as Outcome).allowed || (meta[0] as ResolvedRule).mode !== 'live';
    } else {
      ({ index, allowed } = decidingIndex(meta, outcomes));
    }
    const rule = meta[index] as ResolvedRule;
    const out = outcomes[index] as Outcome;
    this.allowed = allowed;
    this.rule = rule.name;
    this.limit = rule.limit;
    this.remaining = out.remaining;
    this.resetMs = out.resetMs;
    this.retryAfterMs = allowed ? 0 : out.retryAfterMs;
    this.degraded = degraded;
    this.#meta = meta;
    this.#outcomes = outcomes;
    this.#index = index;
    this.#policy = policy;
  }

  get rules(): readonly RuleResult[] {
    this.#rules ??= this.#meta.map((r, i) => {
      const out = this.#outcomes[i] as Outcome;
      return {
        name: r.name,
        mode: r.mode,
        algorithm: r.algorithm,
        limit: r.limit,
        windowMs: r.windowMs,
        allowed: out.allowed,
        remaining: out.remaining,
        resetMs: out.resetMs,
        retryAfterMs: out.retryAfterMs,
      };
    });
    return this.#rules;
  }

  get dryRunRefusals(): readonly string[] {
    return this.rules.filter((r) => r.mode === 'dry-run' && !r.allowed).map((r) => r.name);
  }

  get headers(): Readonly<Record<string, string>> {
    if (this.#headers !== undefined) return this.#headers;
    const h: Record<string, string> = {};
    if ((this.#meta[this.#index] as ResolvedRule).mode === 'live') {
      h['RateLimit-Policy'] = this.#policy;
      // With the store unreachable and failing open or closed there are no counts to report.
      if (this.degraded !== 'open' && this.degraded !== 'closed') {
        h.RateLimit = rateLimitHeader(this.rule, this.remaining, this.resetMs);
      }
      if (!this.allowed) h['Retry-After'] = retryAfterHeader(this.retryAfterMs);
    }
    this.#headers = h;
    return h;
  }

  toJSON(): object {
    const { allowed, rule, limit, remaining, resetMs, retryAfterMs, rules, degraded } = this;
    return { allowed, rule, limit, remaining, resetMs, retryAfterMs, rules, degraded };
  }
}

/**
 * Creates an inbound rate limiter. One rule (`limit` per `windowMs`) or several (`rules`) that
 * compose into one {@link Decision}: the request passes only if every `live` rule allows it, and
 * is then counted in every rule (a refused request counts nowhere). `dry-run` rules decide and
 * report (`decision.dryRunRefusals`) but never refuse, to roll a limit out safely.
 *
 * With a remote store (Redis) every call is bounded by `storeTimeoutMs`; when the store fails or
 * is slow, `onStoreFailure` applies (default `'local'`: a limiter in this process's memory), and
 * the store is left alone for `storeRetryMs`.
 *
 * @example
 * ```ts
 * import { createRateLimiter } from '@portcullis/ratelimit';
 *
 * const limiter = createRateLimiter({
 *   rules: [
 *     { name: 'burst', limit: 10, windowMs: 1000 },
 *     { name: 'hour', limit: 1000, windowMs: 3_600_000, algorithm: 'sliding-window' },
 *     { name: 'strict-trial', limit: 5, windowMs: 1000, mode: 'dry-run' },
 *   ],
 * });
 * const decision = await limiter.check('api-key-id-42');
 * if (!decision.allowed) console.log(decision.headers['Retry-After']);
 * ```
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const o = resolveLimiterOptions(options);
  const { clock, keyPrefix, storeTimeoutMs, storeRetryMs, onStoreFailure } = o;
  const tel: Telemetry = o.telemetry ?? coreTelemetry('@portcullis/ratelimit');
  const store: RateLimitStore = o.store ?? new MemoryRateLimitStore({ maxKeys: o.localMaxKeys });
  let local: MemoryRateLimitStore | undefined;
  const policy = policyHeader(o.rules.filter((r) => r.mode === 'live'));
  const suffixes = o.rules.map((r) => `}:${r.name}`);
  let downUntil = Number.NEGATIVE_INFINITY;

  const storeRules = (key: string): StoreRule[] => {
    const out: StoreRule[] = [];
    for (let i = 0; i < o.rules.length; i++) {
      const r = o.rules[i] as ResolvedRule;
      out.push({
        key: `${keyPrefix}{${key}${suffixes[i]}`,
        algorithm: r.algorithm,
        limit: r.limit,
        windowMs: r.windowMs,
        enforced: r.mode === 'live',
      });
    }
    return out;
  };

  const compose = (outcomes: readonly Outcome[], degraded: false | Degraded): Decision => {
    const decision = new ComposedDecision(o.rules, outcomes, degraded, policy);
    if (!decision.allowed) tel.count('portcullis.ratelimit.refused', 1, { rule: decision.rule });
    return decision;
  };

  const fallback = (rulesForKey: StoreRule[], now: number): Decision => {
    tel.count('portcullis.ratelimit.degraded', 1, { fallback: onStoreFailure });
    if (onStoreFailure === 'local') {
      local ??= new MemoryRateLimitStore({ maxKeys: o.localMaxKeys });
      return compose(local.decide({ rules: rulesForKey, now }), 'local');
    }
    const open = onStoreFailure === 'open';
    const wait = Math.max(storeRetryMs, 1000);
    return compose(
      o.rules.map((r) => ({
        allowed: open || r.mode !== 'live',
        remaining: open ? r.limit : 0,
        resetMs: open ? 0 : wait,
        retryAfterMs: open || r.mode !== 'live' ? 0 : wait,
      })),
      onStoreFailure,
    );
  };

  const inProcess = store.inProcess === true;
  const check = (key: string): Promise<Decision> => {
    if (typeof key !== 'string') return Promise.reject(invalidArgument('key', 'a string'));
    if (key.length === 0) {
      return Promise.reject(invalidArgument('key', 'a non-empty string', 'value'));
    }
    const now = clock.now();
    const request = { rules: storeRules(key), now };
    if (inProcess) {
      try {
        const outcomes = store.decide(request);
        return Array.isArray(outcomes)
          ? Promise.resolve(compose(outcomes, false))
          : Promise.resolve(outcomes).then((out) => compose(out, false));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    if (now < downUntil) return Promise.resolve(fallback(request.rules, now));
    return remote(request);
  };

  const remote = async (request: { rules: StoreRule[]; now: number }): Promise<Decision> => {
    try {
      const outcomes = await boundedCall((signal) => store.decide(request, signal), {
        timeoutMs: storeTimeoutMs,
        clock,
        onTimeout: () =>
          new StoreError(
            'ERR_STORE_UNAVAILABLE',
            `The rate-limit store did not answer within ${storeTimeoutMs} ms.`,
          ),
      });
      return compose(outcomes, false);
    } catch (error) {
      if (error instanceof TypeError && INVALID_ARG.has((error as { code?: string }).code ?? '')) {
        throw error;
      }
      downUntil = clock.now() + storeRetryMs;
      return fallback(request.rules, clock.now());
    }
  };

  return {
    rules: o.rules,
    check,
    async enforce(key) {
      const decision = await check(key);
      if (decision.allowed) return decision;
      if (decision.degraded === 'closed') {
        throw new RateLimitError(
          'ERR_RATE_LIMIT_UNAVAILABLE',
          'The rate limiter cannot decide right now; try again later.',
          decision,
        );
      }
      throw new RateLimitError(
        'ERR_RATE_LIMITED',
        `Too many requests (rule "${decision.rule}"); retry after ${decision.headers['Retry-After']} s.`,
        decision,
      );
    },
  };
}
