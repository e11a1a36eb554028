import type { Clock, Telemetry } from '@portcullis/core';
import type { Held } from './held.ts';
import { storeCall } from './storeCall.ts';
import type { SharedContext } from './TokenSource.ts';

/**
 * The background write of one token and the release of our refresh lock, as the cache entry sees
 * them (see {@link obtainShared}).
 */
export interface Publication {
  /** Our owner id in the lock. */
  readonly owner: string;
  /** The record being written; undefined when only the lock is released. */
  readonly record: string | undefined;
  /** Settles (never rejects) once the write has landed, failed or run past `storeTimeoutMs`. */
  readonly written: Promise<void>;
  /**
   * The written token was invalidated: when its write lands, however late, it is deleted again
   * (the invalidator, which deletes it too, may have stopped waiting for the write).
   */
  revoke(): void;
  /**
   * Takes over our lock for another refresh by this process: this publication will not release
   * it. False once the release has begun (the lock is no longer ours to take over).
   */
  claim(): boolean;
}

/** What {@link obtainShared} needs from the cache entry. */
export interface SharedObtain extends SharedContext {
  keys: { token: string; lock: string };
  clock: Clock;
  telemetry: Telemetry;
  /** The stored token if it is worth taking instead of a request. */
  adoptable(raw: string | undefined): Held | undefined;
  /** One token request. */
  request(): Promise<Held>;
  /**
   * The lock this process still holds for a pending publication, taken over (see
   * {@link Publication.claim}), with that publication's write to wait for before ours.
   */
  claimLock(): { owner: string; after: Promise<void> } | undefined;
  /** Told of each publication as it starts. */
  published(publication: Publication): void;
}

/**
 * Fleet mode: take a stored token when it is good; otherwise take the refresh lock, check the
 * store again, request, and return the token at once while it is written to the store and the
 * lock (only our own) released in the background; while another process holds the lock, poll for
 * its token, at most until its lock has expired. A lock this process still holds for a pending
 * write (a refresh right after the last one: a 401, `invalidate()`, `forceRefresh`) is taken over,
 * not waited for; the new write then follows the pending one, so the older token never lands
 * last. Every store call is bounded by `storeTimeoutMs`: a failing, slow or hung store makes this
 * process fetch on its own rather than fail or wait.
 */
export async function obtainShared(o: SharedObtain): Promise<Held> {
  const { store, keys, clock, telemetry } = o;
  const call = <T>(operation: () => Promise<T>): Promise<T> =>
    storeCall(clock, o.storeTimeoutMs, operation);
  const giveUpAt = clock.now() + o.lockTtlMs + o.pollIntervalMs;
  for (;;) {
    let owner: string | undefined;
    let after: Promise<void> | undefined;
    try {
      const shared = o.adoptable(await call(() => store.get(keys.token)));
      if (shared !== undefined) {
        telemetry.count('portcullis.oauth.shared_hits');
        return shared;
      }
      const ours = o.claimLock();
      if (ours !== undefined) ({ owner, after } = ours);
      else owner = await takeLock(o);
    } catch {
      telemetry.count('portcullis.oauth.store_errors');
      return o.request();
    }
    if (owner !== undefined) {
      let fresh: Held;
      try {
        // Double-check: another process may have refreshed between our read and our lock.
        const raw = await call(() => store.get(keys.token)).catch(() => {
          telemetry.count('portcullis.oauth.store_errors');
          return undefined;
        });
        const shared = o.adoptable(raw);
        if (shared !== undefined) {
          o.published(publish(o, owner, undefined, after));
          return shared;
        }
        fresh = await o.request();
      } catch (error) {
        o.published(publish(o, owner, undefined, after));
        throw error;
      }
      o.published(publish(o, owner, fresh, after));
      return fresh;
    }
    if (clock.now() >= giveUpAt) return o.request();
    await clock.sleep(o.pollIntervalMs);
  }
}
/** Takes the refresh lock: our owner id, or undefined when another process holds it. */
async function takeLock(o: SharedObtain): Promise<string | undefined> {
  const { store, keys } = o;
  const owner = crypto.randomUUID();
  const taking = Promise.resolve().then(() => store.setIfAbsent(keys.lock, owner, o.lockTtlMs));
  try {
    return (await storeCall(o.clock, o.storeTimeoutMs, () => taking)) ? owner : undefined;
  } catch (error) {
    // Taken after we stopped waiting: released once known, not left to block others for its TTL.
    taking
      .then((taken) => (taken ? store.compareAndDelete(keys.lock, owner) : false))
      .catch(() => {});
    throw error;
  }
}

/**
 * In the background (the caller already has its token): once `after` (a pending write of ours)
 * has settled, writes `fresh` to the store with a TTL equal to its remaining lifetime, then
 * releases our lock unless another refresh of ours has claimed it. Each call is bounded; failures
 * are counted as `store_errors`, never thrown (no unhandled rejection).
 */
function publish(
  o: SharedObtain,
  owner: string,
  fresh: Held | undefined,
  after: Promise<void> | undefined,
): Publication {
  const { store, keys, clock, telemetry } = o;
  const failed = (): void => telemetry.count('portcullis.oauth.store_errors');
  const bounded = <T>(operation: () => Promise<T>): Promise<T> =>
    storeCall(clock, o.storeTimeoutMs, operation);
  let revoked = false;
  let claimed = false;
  let releasing = false;
  const write = async (): Promise<void> => {
    await after;
    // Invalidated while waiting for an earlier write of ours: never written at all.
    if (fresh === undefined || revoked) return;
    const ttlMs = fresh.token.expiresAt - clock.now();
    if (ttlMs <= 0) return;
    const landing = Promise.resolve().then(() => store.set(keys.token, fresh.record, ttlMs));
    // Invalidated before the write landed, however late: deleted again once it has.
    landing
      .then(
        () => {
          if (revoked) return bounded(() => store.compareAndDelete(keys.token, fresh.record));
          return undefined;
        },
        () => {},
      )
      .catch(failed);
    await bounded(() => landing).catch(failed);
  };
  const written = write().catch(failed);
  written
    .then(async () => {
      if (claimed) return;
      releasing = true;
      await bounded(() => store.compareAndDelete(keys.lock, owner)).catch(failed);
    })
    .catch(failed);
  return {
    owner,
    record: fresh?.record,
    written,
    revoke: () => {
      revoked = true;
    },
    claim: () => {
      if (releasing) return false;
      claimed = true;
      return true;
    },
  };
}
