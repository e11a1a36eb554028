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
  /** When the lock was taken (clock ms): it is ours until `lockTtlMs` after this. */
  readonly lockedAt: number;
  /** The record being written; undefined when only the lock is released. */
  readonly record: string | undefined;
  /** Settles (never rejects) once the write has landed, failed or run past `storeTimeoutMs`. */
  readonly written: Promise<void>;
  /**
   * Settles (never rejects) once the write has really landed or failed, however late, or was
   * never sent: the next write of ours is sent after it (bounded), so the older token does not
   * land last.
   */
  readonly landed: Promise<void>;
  /**
   * The written token was invalidated: when its write lands, however late, it is deleted again
   * (the invalidator, which deletes it too, may have stopped waiting for the write).
   */
  revoke(): void;
  /**
   * Takes over our lock for another refresh by this process: this publication will not release
   * it. False once the release has begun or the lock's TTL has run out (the lock is no longer
   * ours to take over).
   */
  claim(): boolean;
  /**
   * A newer write of ours was sent while this one was pending: if this one lands after it, the
   * newer record is put back (or, when that one was revoked, this one deleted).
   */
  supersede(by: Publication): void;
  /** Puts back the newest write of ours over `stale`, a late-landing older one (see supersede). */
  restore(stale: string): void;
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
  claimLock(): { owner: string; lockedAt: number; after: Promise<void> } | undefined;
  /** This process's latest publication with a record (its write possibly still pending). */
  previousWrite(): Publication | undefined;
  /** Told of each publication as it starts. */
  published(publication: Publication): void;
}

/**
 * Fleet mode: take a stored token when it is good; otherwise take the refresh lock, check the
 * store again, request, and return the token at once while it is written to the store and the
 * lock (only our own) released in the background; while another process holds the lock, poll for
 * its token, at most until its lock has expired. A lock this process still holds for a pending
 * write (a refresh right after the last one: a 401, `invalidate()`, `forceRefresh`) is taken over,
 * not waited for, while it is within `lockTtlMs`. Each write of ours is sent once the previous one
 * has landed (waited for at most `storeTimeoutMs`); one landing later still puts the newer record
 * back, so the older token is never the one left in the store. Every store call is bounded by `storeTimeoutMs`: a failing, slow or hung store makes this
 * process fetch on its own rather than fail or wait.
 */
export async function obtainShared(o: SharedObtain): Promise<Held> {
  const { store, keys, clock, telemetry } = o;
  const call = <T>(operation: () => Promise<T>): Promise<T> =>
    storeCall(clock, o.storeTimeoutMs, operation);
  const giveUpAt = clock.now() + o.lockTtlMs + o.pollIntervalMs;
  for (;;) {
    let owner: string | undefined;
    let lockedAt = 0;
    let after: Promise<void> | undefined;
    try {
      const shared = o.adoptable(await call(() => store.get(keys.token)));
      if (shared !== undefined) {
        telemetry.count('portcullis.oauth.shared_hits');
        return shared;
      }
      const ours = o.claimLock();
      if (ours !== undefined) ({ owner, lockedAt, after } = ours);
      else {
        lockedAt = clock.now();
        owner = await takeLock(o);
      }
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
          o.published(publish(o, owner, lockedAt, undefined, after));
          return shared;
        }
        fresh = await o.request();
      } catch (error) {
        o.published(publish(o, owner, lockedAt, undefined, after));
        throw error;
      }
      o.published(publish(o, owner, lockedAt, fresh, after));
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
 * In the background (the caller already has its token). With a token: once this process's previous
 * write has landed (waited for at most `storeTimeoutMs`), writes `fresh` with a TTL equal to its
 * remaining lifetime, then releases our lock unless another refresh of ours has claimed it. Without
 * one: releases the lock once `after` (the write of the publication whose lock we took over) has
 * settled. Each call is bounded; failures are counted as `store_errors`, never thrown.
 */
function publish(
  o: SharedObtain,
  owner: string,
  lockedAt: number,
  fresh: Held | undefined,
  after: Promise<void> | undefined,
): Publication {
  const { store, keys, clock, telemetry } = o;
  const failed = (): void => telemetry.count('portcullis.oauth.store_errors');
  const bounded = <T>(operation: () => Promise<T>): Promise<T> =>
    storeCall(clock, o.storeTimeoutMs, operation);
  const previous = fresh === undefined ? undefined : o.previousWrite();
  let revoked = false;
  let claimed = false;
  let releasing = false;
  let sent = false;
  let successor: Publication | undefined;
  let markLanded: () => void = () => {};
  const landed = new Promise<void>((resolve) => {
    markLanded = resolve;
  });
  const deleteRecord = (record: string): void => {
    bounded(() => store.compareAndDelete(keys.token, record)).then(() => {}, failed);
  };
  /** Writes our record; once it has landed, however late, undoes it if it must not stay. */
  const send = (record: string, ttlMs: number): Promise<unknown> => {
    const landing = Promise.resolve().then(() => store.set(keys.token, record, ttlMs));
    landing.then(
      () => {
        // A newer write of ours was sent meanwhile: it must be the one left in the store.
        if (successor !== undefined) successor.restore(record);
        // Invalidated before the write landed, however late: deleted again once it has.
        else if (revoked) deleteRecord(record);
      },
      () => {},
    );
    return landing;
  };
  const publication: Publication = {
    owner,
    lockedAt,
    record: fresh?.record,
    get written(): Promise<void> {
      return written;
    },
    landed,
    revoke: () => {
      revoked = true;
    },
    claim: () => {
      if (releasing || clock.now() - lockedAt >= o.lockTtlMs) return false;
      claimed = true;
      return true;
    },
    supersede: (by) => {
      successor = by;
    },
    restore: (stale) => {
      if (successor !== undefined) return successor.restore(stale);
      const ttlMs = fresh === undefined ? 0 : fresh.token.expiresAt - clock.now();
      if (fresh === undefined || revoked || ttlMs <= 0) return deleteRecord(stale);
      const landing = send(fresh.record, ttlMs);
      bounded(() => landing).then(() => {}, failed);
    },
  };
  const write = async (): Promise<void> => {
    if (fresh === undefined) {
      await after;
      return;
    }
    // Our previous write first (bounded): if it lands later still, it restores this one.
    if (previous !== undefined) await bounded(() => previous.landed).catch(() => {});
    // Invalidated while waiting for an earlier write of ours: never written at all.
    if (revoked) return;
    const ttlMs = fresh.token.expiresAt - clock.now();
    if (ttlMs <= 0) return;
    previous?.supersede(publication);
    sent = true;
    const landing = send(fresh.record, ttlMs);
    landing.then(markLanded, markLanded);
    await bounded(() => landing).catch(failed);
  };
  const written: Promise<void> = write()
    .catch(failed)
    .finally(() => {
      // A write never sent (none, revoked, expired) has landed as far as the next one cares.
      if (!sent) markLanded();
    });
  written
    .then(async () => {
      if (claimed) return;
      releasing = true;
      await bounded(() => store.compareAndDelete(keys.lock, owner)).catch(failed);
    })
    .catch(failed);
  return publication;
}
