import type { Cancel, Clock, Store, Telemetry } from '@portcullis/core';
import { OAuthError } from '../errors/OAuthError.ts';
import type { AccessToken } from '../token/AccessToken.ts';
import type { GetTokenOptions } from '../token/TokenProviderOptions.ts';
import { classifyError, isRetryable } from './classifyError.ts';
import { fromResponse, type Held, type TokenResponse, toHeld } from './held.ts';
import { obtainShared } from './obtainShared.ts';
import { backoffMs, type ResolvedPolicy } from './policy.ts';
import { parseRecord } from './sharedRecord.ts';
import { storeCall } from './storeCall.ts';

export type { TokenResponse } from './held.ts';

/** Fleet mode, resolved. */
export interface SharedContext {
  store: Store;
  lockTtlMs: number;
  pollIntervalMs: number;
  /** Bound on each store call (ms): past it, the call counts as failed. */
  storeTimeoutMs: number;
}

/** What every source of one provider shares. */
export interface SourceContext {
  clock: Clock;
  random: () => number;
  telemetry: Telemetry;
  policy: ResolvedPolicy;
  /** DPoP is configured: only DPoP-bound tokens are accepted, from the server or the store. */
  dpop: boolean;
  /** Sends one token request; throws whatever openid-client or the network threw. */
  request(params: URLSearchParams): Promise<TokenResponse>;
  fleet?: SharedContext;
}

const HIT_BATCH = 1024;

/**
 * One cache entry and its refresh machinery: the per-(client, parameters) handle that
 * `getToken()` resolves to. See the package README for the timing rules.
 */
export class TokenSource {
  readonly #ctx: SourceContext;
  readonly #params: URLSearchParams;
  readonly #scopes: readonly string[];
  readonly #storeKey: Promise<string> | undefined;
  #held: Held | undefined;
  #inflight: Promise<Held> | undefined;
  #nextAttemptAt = 0;
  #failures = 0;
  #lastError: OAuthError | undefined;
  #timer: Cancel | undefined;
  #closed = false;
  #hits = 0;
  /** The last token this process invalidated: never adopted from the store again. */
  #invalidated: string | undefined;
  /** When this process last replaced a token because a resource server answered 401. */
  #lastUnauthorizedAt = Number.NEGATIVE_INFINITY;

  constructor(
    ctx: SourceContext,
    params: URLSearchParams,
    scopes: readonly string[],
    storeKey: Promise<string> | undefined,
  ) {
    this.#ctx = ctx;
    this.#params = params;
    this.#scopes = scopes;
    this.#storeKey = storeKey;
    // Reported when used; never an unhandled rejection.
    storeKey?.catch(() => {});
  }

  async #keys(): Promise<{ token: string; lock: string } | undefined> {
    if (this.#storeKey === undefined) return undefined;
    try {
      const key = await this.#storeKey;
      return { token: `${key}:token`, lock: `${key}:lock` };
    } catch {
      return undefined;
    }
  }

  getToken(options?: GetTokenOptions): Promise<AccessToken> {
    const held = this.#held;
    if (held !== undefined && options === undefined && this.#ctx.clock.now() < held.refreshAt) {
      held.used = true;
      if (++this.#hits === HIT_BATCH) this.#flushHits();
      return held.promise;
    }
    return this.#slow(options);
  }

  async invalidate(token?: AccessToken | string): Promise<void> {
    const held = this.#drop(token);
    if (held !== undefined) await this.#forget(held);
  }

  /** Stops holding `token` (or whatever is held): the held token it was, if any. */
  #drop(token: AccessToken | string | undefined): Held | undefined {
    const held = this.#held;
    if (held === undefined) return undefined;
    if (token !== undefined) {
      const value = typeof token === 'string' ? token : token.value.reveal();
      if (held.token !== token && held.token.value.reveal() !== value) return undefined;
    }
    this.#held = undefined;
    this.#invalidated = held.token.value.reveal();
    this.#cancelTimer();
    this.#ctx.telemetry.count('portcullis.oauth.invalidations');
    return held;
  }

  /**
   * Removes a dropped token from the fleet store (compare-and-delete, bounded by
   * `storeTimeoutMs`). Its write was awaited before the token was held; one that ran past the
   * bound deletes itself when it lands, as the token is no longer held (see obtainShared).
   * Never rejects.
   */
  async #forget(held: Held): Promise<void> {
    const fleet = this.#ctx.fleet;
    if (fleet === undefined) return;
    const keys = await this.#keys();
    if (keys === undefined) return;
    await storeCall(this.#ctx.clock, fleet.storeTimeoutMs, () =>
      fleet.store.compareAndDelete(keys.token, held.record),
    ).catch(() => {
      this.#ctx.telemetry.count('portcullis.oauth.store_errors');
    });
  }

  /**
   * A resource server answered 401 to `token` (sent to that very URL): replaces it, unless that
   * would make 401s a way to cause token requests at will. Returns whether a retry is worthwhile
   * (another token is or will be held); when false, the 401 is the caller's answer. The rule:
   * - the token is no longer the held one (another caller replaced it): retry with the held one;
   * - this process already replaced a token because of a 401 less than `minRefreshIntervalMs`
   *   ago: no (an API that refuses every token costs at most one token request per interval);
   * - the token was adopted from the fleet store and is younger than `minRefreshIntervalMs`: no
   *   (another process has just fetched it; deleting it would make the whole fleet fetch again);
   * - otherwise: invalidated here and in the store, and retried with a new one.
   */
  async unauthorized(token: AccessToken): Promise<boolean> {
    const held = this.#held;
    if (
      held === undefined ||
      (held.token !== token && held.token.value.reveal() !== token.value.reveal())
    ) {
      return true;
    }
    const now = this.#ctx.clock.now();
    const interval = this.#ctx.policy.minRefreshIntervalMs;
    if (now - this.#lastUnauthorizedAt < interval) return false;
    if (held.adopted && now - held.token.issuedAt < interval) return false;
    this.#lastUnauthorizedAt = now;
    const dropped = this.#drop(token);
    // The retry does not wait for the delete: this process never adopts the refused token again,
    // and the retry's own write replaces it in the store.
    if (dropped !== undefined) void this.#forget(dropped);
    return true;
  }

  close(): void {
    this.#closed = true;
    this.#cancelTimer();
    this.#held = undefined;
    this.#flushHits();
  }

  async #slow(options: GetTokenOptions | undefined): Promise<AccessToken> {
    if (this.#closed) throw new OAuthError('ERR_OAUTH_CLOSED', 'The token provider was closed.');
    const now = this.#ctx.clock.now();
    const held = this.#held;
    const minValidity = options?.minValidityMs ?? 0;
    // minValidityMs is met, or cannot be met better yet: a token before its refresh point is
    // served even when it cannot cover minValidityMs (the server's lifetimes are too short for
    // the ask), so such a caller costs at most one request per refresh window, not one per call.
    if (
      held !== undefined &&
      options?.forceRefresh !== true &&
      now < held.usableUntil &&
      (now + minValidity < held.usableUntil || now < held.refreshAt)
    ) {
      held.used = true;
      this.#hits++;
      if (now >= held.refreshAt) this.#background();
      return held.token;
    }
    // The caller that waited for a token does not count as use: a token nobody asks for again
    // before its refresh moment is left to lapse instead of being refreshed by the timer.
    return (await this.#refresh('blocking')).token;
  }

  #background(): void {
    if (this.#inflight !== undefined || this.#ctx.clock.now() < this.#nextAttemptAt) return;
    // The outcome is recorded by #onFailure (and retried on a timer); callers keep the held token.
    this.#refresh('background').catch(() => {});
  }

  #refresh(mode: 'blocking' | 'background'): Promise<Held> {
    if (this.#inflight !== undefined) return this.#inflight;
    const now = this.#ctx.clock.now();
    const last = this.#lastError;
    if (last !== undefined && now < this.#nextAttemptAt) {
      return Promise.reject(
        new OAuthError(last.code, last.message, {
          cause: last,
          retryAfterMs: this.#nextAttemptAt - now,
        }),
      );
    }
    this.#ctx.telemetry.count('portcullis.oauth.refreshes', 1, { mode });
    const attempt = this.#obtain()
      .then(
        (fresh) => this.#onSuccess(fresh),
        (error: unknown) => {
          throw this.#onFailure(error);
        },
      )
      .finally(() => {
        this.#inflight = undefined;
      });
    this.#inflight = attempt;
    return attempt;
  }

  #onSuccess(fresh: Held): Held {
    if (this.#closed) return fresh; // closed while the request was in flight: keep nothing
    const now = this.#ctx.clock.now();
    const held = this.#held;
    if (
      held !== undefined &&
      !held.adopted &&
      fresh.token.expiresAt <= held.token.expiresAt &&
      now < held.usableUntil
    ) {
      // Rule: a token no newer than the one held is dropped; the held one is kept and the next
      // attempt backs off like after a failure, so a server that keeps answering with the same
      // token is not asked in a tight loop. Only when the held token came from the authorization
      // server too: a token adopted from the store (which anyone with write access to it can put
      // there, with any expiry up to maxLifetimeSec) never outranks one from the server, or a
      // forged record would survive forceRefresh and every refresh until it expired. (A token
      // adopted from the store is always newer than the one held: see #adoptable.)
      this.#failures++;
      this.#lastError = new OAuthError(
        'ERR_OAUTH_INVALID_RESPONSE',
        'The authorization server returned a token no newer than the one held.',
      );
      this.#nextAttemptAt = now + backoffMs(this.#ctx.policy, this.#failures, this.#ctx.random);
      this.#ctx.telemetry.count('portcullis.oauth.failures', 1, { code: 'not_newer' });
      if (this.#nextAttemptAt < held.usableUntil) this.#schedule(this.#nextAttemptAt);
      return held;
    }
    this.#held = fresh;
    this.#failures = 0;
    this.#nextAttemptAt = 0;
    this.#lastError = undefined;
    this.#schedule(fresh.refreshAt);
    return fresh;
  }

  #onFailure(error: unknown): OAuthError {
    const now = this.#ctx.clock.now();
    const { policy, random, telemetry } = this.#ctx;
    const failure = classifyError(error, now);
    this.#failures++;
    telemetry.count('portcullis.oauth.failures', 1, { code: failure.code });
    let delay: number;
    if (isRetryable(failure)) {
      const serverAsked = Math.min(failure.retryAfterMs ?? 0, policy.maxBackoffMs);
      delay = Math.max(backoffMs(policy, this.#failures, random), serverAsked);
      const held = this.#held;
      // Keep retrying in the background while a valid token is held; afterwards, on demand.
      if (held !== undefined && now + delay < held.usableUntil) this.#schedule(now + delay);
    } else {
      // Configuration errors fail fast: no timer, and callers get the error for a cool-down.
      delay = policy.rejectedCooldownMs;
    }
    this.#nextAttemptAt = now + delay;
    const surfaced = new OAuthError(failure.code, failure.message, {
      cause: failure.cause ?? failure,
      retryAfterMs: delay,
    });
    this.#lastError = surfaced;
    return surfaced;
  }

  #schedule(at: number): void {
    this.#cancelTimer();
    if (this.#closed) return;
    const delay = Math.max(0, at - this.#ctx.clock.now());
    this.#timer = this.#ctx.clock.schedule(delay, () => {
      this.#timer = undefined;
      const held = this.#held;
      // An idle token is left to lapse: the next call refreshes it. No requests for unused keys.
      if (held?.used === true) this.#background();
    });
  }

  #cancelTimer(): void {
    this.#timer?.();
    this.#timer = undefined;
  }

  #flushHits(): void {
    if (this.#hits > 0) this.#ctx.telemetry.count('portcullis.oauth.cache_hits', this.#hits);
    this.#hits = 0;
  }

  async #obtain(): Promise<Held> {
    const fleet = this.#ctx.fleet;
    const keys = fleet === undefined ? undefined : await this.#keys();
    if (fleet === undefined || keys === undefined) return this.#request();
    return obtainShared({
      ...fleet,
      keys,
      clock: this.#ctx.clock,
      telemetry: this.#ctx.telemetry,
      adoptable: (raw) => this.#adoptable(raw),
      request: () => this.#request(),
      holds: (record) => !this.#closed && this.#held?.record === record,
      settled: () => this.#inflight?.catch(() => {}) ?? Promise.resolve(),
    });
  }

  /**
   * A stored token worth taking: within the same bounds as a server's token (see parseRecord),
   * DPoP when DPoP is configured, not the one this process last invalidated, valid, newer than
   * ours, and not yet due (unless ours is unusable).
   */
  #adoptable(raw: string | undefined): Held | undefined {
    const { policy, random, clock, dpop } = this.#ctx;
    const now = clock.now();
    const record = parseRecord(raw, {
      now,
      maxLifetimeMs: Math.round(policy.maxLifetimeSec * 1000),
      clockSkewMs: policy.clockSkewMs,
    });
    if (record === undefined || raw === undefined) return undefined;
    if (dpop && record.ty !== 'DPoP') return undefined;
    if (record.t === this.#invalidated) return undefined;
    const candidate = toHeld(record, raw, policy, random, true);
    if (now >= candidate.usableUntil) return undefined;
    const held = this.#held;
    if (held !== undefined && candidate.token.expiresAt <= held.token.expiresAt) return undefined;
    const ourUsable = held !== undefined && now < held.usableUntil;
    return now < candidate.refreshAt || !ourUsable ? candidate : undefined;
  }

  async #request(): Promise<Held> {
    const sentAt = this.#ctx.clock.now();
    this.#ctx.telemetry.count('portcullis.oauth.token_requests');
    const response = await this.#ctx.request(this.#params);
    const { policy, random, dpop } = this.#ctx;
    const fresh = fromResponse(response, sentAt, this.#scopes, policy, random, dpop);
    // Lifetimes run from when the request was sent: a response slower than the token's usable
    // life brings a token that must not be served. Treated as a failed attempt (backoff).
    if (this.#ctx.clock.now() >= fresh.usableUntil) {
      throw new OAuthError(
        'ERR_OAUTH_INVALID_RESPONSE',
        'The token response arrived after the token stopped being usable.',
      );
    }
    return fresh;
  }
}
