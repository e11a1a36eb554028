import type { Store } from '@portcullis/core';

/** Fleet mode, resolved: what every cache entry of one provider shares. */
export interface FleetContext {
  store: Store;
  lockTtlMs: number;
  pollIntervalMs: number;
  /** Bound on each store call (ms): past it, the call counts as failed. */
  storeTimeoutMs: number;
}

/** The store keys of one cache entry. */
export interface FleetKeys {
  token: string;
  lock: string;
}
