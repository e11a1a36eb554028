import type { Clock, Telemetry } from '@portcullis/core';
import type { Held } from './held.ts';
import { storeCall } from './storeCall.ts';
import type { SharedContext } from './TokenSource.ts';

/** What {@link obtainShared} needs from the cache entry. */
export interface SharedObtain extends SharedContext {
  keys: { token: string; lock: string };
  clock: Clock;
  telemetry: Telemetry;
  /** The stored token if it is worth taking instead of a request. */
  adoptable(raw: string | undefined): Held | undefined;
  /** One token request. */
  request(): Promise<Held>;
}

/**
 * Fleet mode: take a stored token when it is good; otherwise take the refresh lock, check the
 * store again, request, and return the token at once while it is written to the store and the
 * lock (only our own) released in the background; while another process holds the lock, poll for
 * its token, at most until its lock has expired. Every store call is bounded by `storeTimeoutMs`:
 * a failing, slow or hung store makes this process fetch on its own rather than fail or wait.
 */
export async function obtainShared(o: SharedObtain): Promise<Held> {
  const { store, keys, clock, telemetry } = o;
  const call = <T>(operation: () => Promise<T>): Promise<T> =>
    storeCall(clock, o.storeTimeoutMs, operation);
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
          publish(o, owner, undefined);
          return shared;
        }
        fresh = await o.request();
      } catch (error) {
        publish(o, owner, undefined);
        throw error;
      }
      publish(o, owner, fresh);
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
 * In the background (the caller already has its token): writes `fresh` to the store with a TTL
 * equal to its remaining lifetime, then releases our lock. Each call is bounded; failures are
 * counted as `store_errors`, never thrown (no unhandled rejection).
 */
function publish(o: SharedObtain, owner: string, fresh: Held | undefined): void {
  const { store, keys, clock, telemetry } = o;
  const failed = (): void => telemetry.count('portcullis.oauth.store_errors');
  const run = async (): Promise<void> => {
    if (fresh !== undefined) {
      const ttlMs = fresh.token.expiresAt - clock.now();
      if (ttlMs > 0) {
        await storeCall(clock, o.storeTimeoutMs, () =>
          store.set(keys.token, fresh.record, ttlMs),
        ).catch(failed);
      }
    }
    await storeCall(clock, o.storeTimeoutMs, () => store.compareAndDelete(keys.lock, owner)).catch(
      failed,
    );
  };
  run().catch(failed);
}
