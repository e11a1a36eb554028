import type { Clock, Telemetry } from '@portcullis/core';
import type { Held } from './held.ts';
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
 * store again, request, store the token and release the lock (only our own); while another
 * process holds the lock, poll for its token, at most until its lock has expired. A failing store
 * makes this process fetch on its own rather than fail.
 */
export async function obtainShared(o: SharedObtain): Promise<Held> {
  const { store, keys, clock, telemetry } = o;
  const giveUpAt = clock.now() + o.lockTtlMs + o.pollIntervalMs;
  for (;;) {
    let owner: string | undefined;
    try {
      const shared = o.adoptable(await store.get(keys.token));
      if (shared !== undefined) {
        telemetry.count('portcullis.oauth.shared_hits');
        return shared;
      }
      owner = crypto.randomUUID();
      if (!(await store.setIfAbsent(keys.lock, owner, o.lockTtlMs))) owner = undefined;
    } catch {
      telemetry.count('portcullis.oauth.store_errors');
      return o.request();
    }
    if (owner !== undefined) {
      try {
        // Double-check: another process may have refreshed between our read and our lock.
        const shared = o.adoptable(await store.get(keys.token).catch(() => undefined));
        if (shared !== undefined) return shared;
        const fresh = await o.request();
        const ttlMs = fresh.token.expiresAt - clock.now();
        if (ttlMs > 0) {
          await store.set(keys.token, fresh.record, ttlMs).catch(() => {
            telemetry.count('portcullis.oauth.store_errors');
          });
        }
        return fresh;
      } finally {
        await store.compareAndDelete(keys.lock, owner).catch(() => {});
      }
    }
    if (clock.now() >= giveUpAt) return o.request();
    await clock.sleep(o.pollIntervalMs);
  }
}
