import type { Clock, Telemetry } from '@portcullis/core';
import type { Held } from '../token/held.ts';
import type { FleetContext, FleetKeys } from './FleetContext.ts';
import { storeCall } from './storeCall.ts';

/** What {@link obtainShared} needs from the cache entry. */
export interface SharedObtain extends FleetContext {
  keys: FleetKeys;
  clock: Clock;
  telemetry: Telemetry;
  /** The stored token if it is worth taking instead of a request. */
  adoptable(raw: string | undefined): Held | undefined;
  /** One token request. */
  request(): Promise<Held>;
  /**
   * Whether `record` is still the token this cache entry holds (false once it was invalidated,
   * replaced or the entry closed). Asked when a write that ran past `storeTimeoutMs` lands, after
   * the refresh that wrote it has settled (see {@link SharedObtain.settled}).
   */
  holds(record: string): boolean;
  /** Settles (never rejects) once the cache entry's refresh in progress, if any, has settled. */
  settled(): Promise<unknown>;
}

/**
 * Fleet mode: take a stored token when it is good; otherwise take the refresh lock, check the
 * store again, request, wait for the store write of the new token and the release of our lock
 * (each bounded by `storeTimeoutMs`), then return it. While another process holds the lock, poll
 * for its token, at most until its lock has expired. A write that ran past `storeTimeoutMs` may
 * still land: when it does, it is deleted again unless its token is still the one this process
 * holds, so a late write never leaves a revoked or older token in the store. Every store call is
 * bounded: a failing, slow or hung store makes this process fetch on its own rather than fail or
 * wait.
 */
export async function obtainShared(o: SharedObtain): Promise<Held> {
  const { store, keys, clock, telemetry } = o;
  const call = <T>(operation: () => Promise<T>): Promise<T> =>
    storeCall(clock, o.storeTimeoutMs, operation);
  const failed = (): void => telemetry.count('portcullis.oauth.store_errors');
  const giveUpAt = clock.now() + o.lockTtlMs + o.pollIntervalMs;
  for (;;) {
    let owner: string | undefined;
    try {
      const shared = o.adoptable(await call(() => store.get(keys.token)));
      if (shared !== undefined) {
        telemetry.count('portcullis.oauth.shared_hits');
        return shared;
      }
      owner = await takeLock(o);
    } catch {
      failed();
      return o.request();
    }
    if (owner !== undefined) {
      const release = (): Promise<void> =>
        call(() => store.compareAndDelete(keys.lock, owner)).then(() => {}, failed);
      let fresh: Held;
      try {
        // Double-check: another process may have refreshed between our read and our lock.
        const raw = await call(() => store.get(keys.token)).catch(() => {
          failed();
          return undefined;
        });
        const shared = o.adoptable(raw);
        if (shared !== undefined) {
          await release();
          return shared;
        }
        fresh = await o.request();
      } catch (error) {
        await release();
        throw error;
      }
      await write(o, fresh);
      await release();
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
 * Writes `fresh` with a TTL equal to its remaining lifetime, waiting at most `storeTimeoutMs`.
 * A write still pending then gets one compensating handler: when it lands, however late, and the
 * refresh that wrote it has settled, its record is deleted (compare-and-delete) unless this
 * process still holds that token. Failures are counted as `store_errors`, never thrown.
 */
async function write(o: SharedObtain, fresh: Held): Promise<void> {
  const { store, keys, clock, telemetry } = o;
  const failed = (): void => telemetry.count('portcullis.oauth.store_errors');
  const ttlMs = fresh.token.expiresAt - clock.now();
  if (ttlMs <= 0) return;
  const { record } = fresh;
  const landing = Promise.resolve().then(() => store.set(keys.token, record, ttlMs));
  try {
    await storeCall(clock, o.storeTimeoutMs, () => landing);
  } catch {
    failed();
    // Timed out (a write that failed outright lands nothing: the chain ends in the catch).
    landing
      .then(() => o.settled())
      .then(() => {
        if (o.holds(record)) return;
        return storeCall(clock, o.storeTimeoutMs, () =>
          store.compareAndDelete(keys.token, record),
        ).then(() => {}, failed);
      })
      .catch(() => {}); // the late write failed after all: nothing landed
  }
}
