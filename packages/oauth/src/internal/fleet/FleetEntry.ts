import type { Clock, Telemetry } from '@portcullis/core';
import type { Held } from '../token/held.ts';
import type { FleetContext, FleetKeys } from './FleetContext.ts';
import { obtainShared } from './obtainShared.ts';
import { storeCall } from './storeCall.ts';

/** What a fleet entry asks its cache entry. */
export interface FleetOwner {
  clock: Clock;
  telemetry: Telemetry;
  /** The stored token if it is worth taking instead of a request (see adoption.ts). */
  adoptable(raw: string | undefined): Held | undefined;
  /** One token request. */
  request(): Promise<Held>;
  /** Whether `record` is still the token held (false once invalidated, replaced or closed). */
  holds(record: string): boolean;
  /** Settles (never rejects) once the refresh in progress, if any, has settled. */
  settled(): Promise<unknown>;
}

/** One cache entry's share of the fleet store: its keys, adopting or requesting, forgetting. */
export class FleetEntry {
  readonly #fleet: FleetContext;
  readonly #storeKey: Promise<string>;
  readonly #owner: FleetOwner;

  constructor(fleet: FleetContext, storeKey: Promise<string>, owner: FleetOwner) {
    this.#fleet = fleet;
    this.#storeKey = storeKey;
    this.#owner = owner;
    // Reported when used; never an unhandled rejection.
    storeKey.catch(() => {});
  }

  async #keys(): Promise<FleetKeys | undefined> {
    try {
      const key = await this.#storeKey;
      return { token: `${key}:token`, lock: `${key}:lock` };
    } catch {
      return undefined;
    }
  }

  /** A token: adopted from the store, or requested under the fleet's lock (see obtainShared). */
  async obtain(): Promise<Held> {
    const keys = await this.#keys();
    const o = this.#owner;
    if (keys === undefined) return o.request();
    return obtainShared({
      ...this.#fleet,
      keys,
      clock: o.clock,
      telemetry: o.telemetry,
      adoptable: (raw) => o.adoptable(raw),
      request: () => o.request(),
      holds: (record) => o.holds(record),
      settled: () => o.settled(),
    });
  }

  /**
   * Removes a dropped token from the store (compare-and-delete, bounded by `storeTimeoutMs`). Its
   * write was awaited before the token was held; one that ran past the bound deletes itself when
   * it lands, as the token is no longer held (see obtainShared). Never rejects.
   */
  async forget(held: Held): Promise<void> {
    const keys = await this.#keys();
    if (keys === undefined) return;
    const { store, storeTimeoutMs } = this.#fleet;
    await storeCall(this.#owner.clock, storeTimeoutMs, () =>
      store.compareAndDelete(keys.token, held.record),
    ).catch(() => {
      this.#owner.telemetry.count('portcullis.oauth.store_errors');
    });
  }
}
