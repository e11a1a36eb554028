import type { ApiKeyError } from '../errors/ApiKeyError.ts';
import type { ApiKeyRecord } from '../repository/KeyRepository.ts';

type Outcome = ApiKeyRecord | ApiKeyError;

/**
 * Verification outcomes by keyed hash of the presented key (never the key itself), bounded in
 * count (oldest written first out) and age. Dropped by key id on revoke and rotation.
 */
export class ResultCache {
  readonly #max: number;
  readonly #entries = new Map<string, { outcome: Outcome; until: number }>();

  constructor(max: number) {
    this.#max = max;
  }

  get(digest: string, now: number): Outcome | undefined {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.#entries.delete(digest);
      return undefined;
    }
    return entry.outcome;
  }

  set(digest: string, outcome: Outcome, until: number): void {
    this.#entries.delete(digest);
    this.#entries.set(digest, { outcome, until });
    while (this.#entries.size > this.#max)
      this.#entries.delete(this.#entries.keys().next().value as string);
  }

  dropId(id: string): void {
    for (const [digest, { outcome }] of this.#entries) {
      if ('id' in outcome && outcome.id === id) this.#entries.delete(digest);
    }
  }
}
