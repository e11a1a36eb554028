import type { ApiKeyChanges, ApiKeyRecord, KeyRepository } from './KeyRepository.ts';

function earlier(current: number | null, next: number | null | undefined): number | null {
  if (next === undefined) return current;
  if (next === null) return current;
  return current === null ? next : Math.min(current, next);
}

/**
 * A {@link KeyRepository} in process memory, for tests and single-process tools. Records are
 * copied in and out, so callers cannot change stored state by mutating what they hold.
 *
 * @example
 * ```ts
 * import { createApiKeys, MemoryKeyRepository } from '@portcullis/apikeys';
 * const keys = createApiKeys({ prefix: 'pc_test', pepper: 'a-pepper-from-your-secrets-manager-32b', repository: new MemoryKeyRepository() });
 * ```
 */
export class MemoryKeyRepository implements KeyRepository {
  readonly #records = new Map<string, ApiKeyRecord>();

  async insert(record: ApiKeyRecord): Promise<void> {
    if (this.#records.has(record.id)) throw new Error('duplicate key id');
    this.#records.set(record.id, { ...record, scopes: [...record.scopes] });
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const found = this.#records.get(id);
    return found === undefined ? undefined : { ...found, scopes: [...found.scopes] };
  }

  async update(id: string, changes: ApiKeyChanges): Promise<boolean> {
    const found = this.#records.get(id);
    if (found === undefined) return false;
    found.expiresAt = earlier(found.expiresAt, changes.expiresAt);
    found.revokedAt = earlier(found.revokedAt, changes.revokedAt);
    if (changes.lastUsedAt != null)
      found.lastUsedAt = Math.max(found.lastUsedAt ?? 0, changes.lastUsedAt);
    return true;
  }

  async listByOwner(owner: string): Promise<readonly ApiKeyRecord[]> {
    return [...this.#records.values()]
      .filter((r) => r.owner === owner)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((r) => ({ ...r, scopes: [...r.scopes] }));
  }
}
