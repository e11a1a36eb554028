import { randomBytes } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type { ApiKeyChanges, ApiKeyRecord, KeyRepository } from '@portcullis/apikeys';

function earlier(current: number | null, next: number | null | undefined): number | null {
  if (next == null) return current;
  return current === null ? next : Math.min(current, next);
}

/**
 * A {@link KeyRepository} in a JSON Lines file (one record a line: ids and keyed hashes, never a
 * key), for the CLI's `apikey create --keys-file` and `apikey check --keys-file`. Created with
 * mode 0600. Not for concurrent writers: a service uses `PostgresKeyRepository`.
 */
export class FileKeyRepository implements KeyRepository {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  async #all(): Promise<ApiKeyRecord[]> {
    let text: string;
    try {
      text = await readFile(this.#path, 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as ApiKeyRecord);
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    if ((await this.#all()).some((r) => r.id === record.id)) throw new Error('duplicate key id');
    await appendFile(this.#path, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.#all()).find((r) => r.id === id);
  }

  async update(id: string, changes: ApiKeyChanges): Promise<boolean> {
    const all = await this.#all();
    const found = all.find((r) => r.id === id);
    if (found === undefined) return false;
    found.expiresAt = earlier(found.expiresAt, changes.expiresAt);
    found.revokedAt = earlier(found.revokedAt, changes.revokedAt);
    if (changes.lastUsedAt != null)
      found.lastUsedAt = Math.max(found.lastUsedAt ?? 0, changes.lastUsedAt);
    // A fresh name opened with O_EXCL: a file or symlink planted at the temp path is never followed.
    const next = `${this.#path}.${randomBytes(8).toString('hex')}.tmp`;
    await writeFile(next, all.map((r) => `${JSON.stringify(r)}\n`).join(''), {
      mode: 0o600,
      flag: 'wx',
    });
    await rename(next, this.#path);
    return true;
  }

  async listByOwner(owner: string): Promise<readonly ApiKeyRecord[]> {
    return (await this.#all())
      .filter((r) => r.owner === owner)
      .sort((a, b) => b.createdAt - a.createdAt);
  }
}
