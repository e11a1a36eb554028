import { OAuthError } from '../../errors/OAuthError.ts';
import { resolveGetTokenOptions } from '../../options/resolveProviderOptions.ts';
import type { AccessToken } from '../../token/AccessToken.ts';
import type { GetTokenOptions } from '../../token/TokenProviderOptions.ts';
import { classifyError } from '../errors/classifyError.ts';
import { adoptable } from '../fleet/adoption.ts';
import { FleetEntry } from '../fleet/FleetEntry.ts';
import { abortable } from '../http/callerSignal.ts';
import type { Held } from '../token/held.ts';
import { BackoffGate } from './BackoffGate.ts';
import { RefreshTimer } from './RefreshTimer.ts';
import { requestToken } from './requestToken.ts';
import type { SourceContext } from './SourceContext.ts';
import { decideUnauthorized, holdsToken } from './unauthorizedPolicy.ts';

const HIT_BATCH = 1024;

/**
 * One cache entry: the per-(client, parameters) handle that `getToken()` resolves to. It holds
 * the token and runs the hot path and the single flight; timing of retries is the
 * {@link BackoffGate}'s, the 401 rule {@link decideUnauthorized}'s, the fleet store the
 * {@link FleetEntry}'s. See the package README for the timing rules.
 */
export class TokenSource {
  readonly #ctx: SourceContext;
  readonly #params: URLSearchParams;
  readonly #scopes: readonly string[];
  readonly #fleet: FleetEntry | undefined;
  readonly #gate: BackoffGate;
  readonly #timer: RefreshTimer;
  #held: Held | undefined;
  /** The single flight: the token request (or store adoption) every caller waits on. */
  #inflight: Promise<Held> | undefined;
  #closed = false;
  #hits = 0;
  /** The last token this process invalidated or saw refused: never adopted from the store again. */
  #invalidated: string | undefined;
  /** The held token a resource server refused: a server's answer replaces it even if not newer. */
  #refused: Held | undefined;
  /** The replacement under way for the refused token: later 401s for that token share it. */
  #replacing: Promise<AccessToken | undefined> | undefined;
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
    this.#gate = new BackoffGate(ctx.policy, ctx.random);
    this.#timer = new RefreshTimer(ctx.clock);
    this.#fleet =
      ctx.fleet === undefined || storeKey === undefined
        ? undefined
        : new FleetEntry(ctx.fleet, storeKey, {
            clock: ctx.clock,
            telemetry: ctx.telemetry,
            adoptable: (raw) =>
              adoptable(raw, {
                now: ctx.clock.now(),
                policy: ctx.policy,
                random: ctx.random,
                dpop: ctx.dpop,
                invalidated: this.#invalidated,
                held: this.#held,
              }),
            request: () => requestToken(ctx, params, scopes),
            holds: (record) => !this.#closed && this.#held?.record === record,
            settled: () => this.#inflight?.catch(() => {}) ?? Promise.resolve(),
          });
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
    if (held !== undefined) await this.#fleet?.forget(held);
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
    this.#timer.cancel();
    this.#ctx.telemetry.count('portcullis.oauth.invalidations');
    return held;
  }

  /**
   * A resource server answered 401 to `token` (sent to that very URL). Returns the token to retry
   * with, or undefined when the 401 is the caller's answer (see {@link decideUnauthorized}). The
   * refused token stays held for every other caller until a new one is obtained: a 401 during an
   * authorization-server outage never leaves the process without a token. Never rejects.
   */
  replaceRefused(token: AccessToken): Promise<AccessToken | undefined> {
    const held = this.#held;
    // Concurrent 401s for one token cause one replacement, which they all retry with.
    if (this.#replacing !== undefined && held === this.#refused && holdsToken(held, token)) {
      return this.#replacing;
    }
    const replacing = this.#replace(token);
    return replacing;
  }

  async #replace(token: AccessToken): Promise<AccessToken | undefined> {
    const now = this.#ctx.clock.now();
    const held = this.#held;
    const decision = decideUnauthorized(
      held,
      token,
      now,
      this.#lastUnauthorizedAt,
      this.#ctx.policy.minRefreshIntervalMs,
    );
    if (decision === 'decline') return undefined;
    if (decision === 'use-held') return this.getToken().catch(() => undefined);
    this.#lastUnauthorizedAt = now;
    this.#refused = held;
    this.#invalidated = token.value.reveal();
    const replacing = this.#refresh('blocking').then(
      (fresh) => {
        if (holdsToken(fresh, token)) return undefined; // the server sent the refused token again
        this.#ctx.telemetry.count('portcullis.oauth.invalidations');
        if (held !== undefined) void this.#fleet?.forget(held);
        return fresh.token;
      },
      () => undefined,
    );
    this.#replacing = replacing;
    try {
      return await replacing;
    } finally {
      if (this.#replacing === replacing) this.#replacing = undefined;
    }
  }

  close(): void {
    this.#closed = true;
    this.#timer.cancel();
    this.#held = undefined;
    this.#flushHits();
  }

  async #slow(given: GetTokenOptions | undefined): Promise<AccessToken> {
    const options = given === undefined ? undefined : resolveGetTokenOptions(given);
    const signal = options?.signal;
    signal?.throwIfAborted();
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
    return (await abortable(this.#refresh('blocking'), signal)).token;
  }

  #background(): void {
    if (this.#inflight !== undefined || this.#ctx.clock.now() < this.#gate.nextAttemptAt) return;
    // The outcome is recorded by #onFailure (and retried on a timer); callers keep the held token.
    this.#refresh('background').catch(() => {});
  }

  #refresh(mode: 'blocking' | 'background'): Promise<Held> {
    if (this.#inflight !== undefined) return this.#inflight;
    const refused = this.#gate.refusal(this.#ctx.clock.now());
    if (refused !== undefined) return Promise.reject(refused);
    this.#ctx.telemetry.count('portcullis.oauth.refreshes', 1, { mode });
    const attempt = (this.#fleet?.obtain() ?? requestToken(this.#ctx, this.#params, this.#scopes))
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
      held !== this.#refused &&
      !held.adopted &&
      fresh.token.expiresAt <= held.token.expiresAt &&
      now < held.usableUntil
    ) {
      // Rule: a token no newer than the one held is dropped; the held one is kept and the next
      // attempt backs off like after a failure, so a server that keeps answering with the same
      // token is not asked in a tight loop. Only when the held token came from the authorization
      // server too (and no resource server refused it): a token adopted from the store (which
      // anyone with write access to it can put there, with any expiry up to maxLifetimeSec) never
      // outranks one from the server, or a forged record would survive forceRefresh and every
      // refresh until it expired. (A token adopted from the store is always newer than the one
      // held: see adoption.ts.)
      this.#gate.fail(
        new OAuthError(
          'ERR_OAUTH_INVALID_RESPONSE',
          'The authorization server returned a token no newer than the one held.',
        ),
        now,
      );
      this.#ctx.telemetry.count('portcullis.oauth.failures', 1, { code: 'not_newer' });
      if (this.#gate.nextAttemptAt < held.usableUntil) this.#schedule(this.#gate.nextAttemptAt);
      return held;
    }
    this.#held = fresh;
    this.#refused = undefined;
    this.#gate.reset();
    this.#schedule(fresh.refreshAt);
    return fresh;
  }

  #onFailure(error: unknown): OAuthError {
    const now = this.#ctx.clock.now();
    const failure = classifyError(error, now, this.#ctx.policy.maxBackoffMs);
    this.#ctx.telemetry.count('portcullis.oauth.failures', 1, { code: failure.code });
    const { surfaced, retryable } = this.#gate.fail(failure, now);
    const held = this.#held;
    // Keep retrying in the background while a valid token is held; afterwards, on demand.
    if (retryable && held !== undefined && this.#gate.nextAttemptAt < held.usableUntil) {
      this.#schedule(this.#gate.nextAttemptAt);
    }
    return surfaced;
  }

  #schedule(at: number): void {
    this.#timer.cancel();
    if (this.#closed) return;
    this.#timer.set(at, () => {
      // An idle token is left to lapse: the next call refreshes it. No requests for unused keys.
      if (this.#held?.used === true) this.#background();
    });
  }

  #flushHits(): void {
    if (this.#hits > 0) this.#ctx.telemetry.count('portcullis.oauth.cache_hits', this.#hits);
    this.#hits = 0;
  }
}
