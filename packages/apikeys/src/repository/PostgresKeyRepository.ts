import { readFile } from 'node:fs/promises';
import { invalidArgument } from '@portcullis/core';
import type { ApiKeyChanges, ApiKeyRecord, KeyRepository } from './KeyRepository.ts';

/** The slice of a `pg` `Pool` or `Client` the repository uses. */
export interface Queryable {
  /** Runs one parameterised statement (`$1`, `$2`, …) and resolves with its rows. */
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** Options for {@link PostgresKeyRepository}. */
export interface PostgresKeyRepositoryOptions {
  /** A `pg` `Pool` (or anything with its `query`). */
  pool: Queryable;
  /** The table, optionally schema-qualified (`'auth.api_keys'`). Default: `'api_keys'`. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(?:\.[a-z_][a-z0-9_]{0,62})?$/;
const COLUMNS =
  'id, prefix, hash, name, owner, scopes, created_at, expires_at, revoked_at, last_used_at, rotated_from';

function ms(value: unknown): number | null {
  return value instanceof Date ? value.getTime() : value == null ? null : Number(value);
}
function date(value: number | null | undefined): Date | null {
  return value == null ? null : new Date(value);
}

function toRecord(row: Record<string, unknown>): ApiKeyRecord {
  return {
    id: String(row.id),
    prefix: String(row.prefix),
    hash: String(row.hash),
    name: String(row.name),
    owner: String(row.owner),
    scopes: (row.scopes as string[] | null) ?? [],
    createdAt: ms(row.created_at) as number,
    expiresAt: ms(row.expires_at),
    revokedAt: ms(row.revoked_at),
    lastUsedAt: ms(row.last_used_at),
    rotatedFrom: row.rotated_from == null ? null : String(row.rotated_from),
  };
}

/**
 * A {@link KeyRepository} on PostgreSQL through `pg`: parameterised queries only, the table from
 * the migration `migrations/001_api_keys.sql` (apply it with your migration tool, or with
 * {@link PostgresKeyRepository.migrate}). Times are `timestamptz`; scopes a `text[]`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createApiKeys, PostgresKeyRepository } from '@portcullis/apikeys';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const repository = new PostgresKeyRepository({ pool });
 * await repository.migrate();
 * const keys = createApiKeys({ prefix: 'pc_live', pepper: process.env.APIKEY_PEPPER ?? '', repository });
 * ```
 */
export class PostgresKeyRepository implements KeyRepository {
  readonly #pool: Queryable;
  readonly #table: string;

  constructor(options: PostgresKeyRepositoryOptions) {
    if (typeof options?.pool?.query !== 'function')
      throw invalidArgument('options.pool', 'a pg Pool or Client');
    const table = options.table ?? 'api_keys';
    if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
      throw invalidArgument(
        'options.table',
        'a lower-case SQL identifier, optionally schema-qualified',
        'value',
      );
    }
    for (const key of Object.keys(options)) {
      if (key !== 'pool' && key !== 'table')
        throw invalidArgument(`options.${key}`, 'a known option (pool, table)', 'value');
    }
    this.#pool = options.pool;
    this.#table = table
      .split('.')
      .map((part) => `"${part}"`)
      .join('.');
  }

  /** Creates the table and its index if they do not exist (the shipped migration, for this table name). */
  async migrate(): Promise<void> {
    const sql = await readFile(
      new URL('../../migrations/001_api_keys.sql', import.meta.url),
      'utf8',
    );
    await this.#pool.query(
      sql
        .replaceAll('"api_keys"', this.#table)
        .replaceAll(
          'api_keys_owner_idx',
          `${this.#table.replaceAll('"', '').replace('.', '_')}_owner_idx`,
        ),
    );
  }

  async insert(record: ApiKeyRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        record.id,
        record.prefix,
        record.hash,
        record.name,
        record.owner,
        [...record.scopes],
        date(record.createdAt),
        date(record.expiresAt),
        date(record.revokedAt),
        date(record.lastUsedAt),
        record.rotatedFrom,
      ],
    );
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM ${this.#table} WHERE id = $1`, [
      id,
    ]);
    return rows[0] === undefined ? undefined : toRecord(rows[0]);
  }

  async update(id: string, changes: ApiKeyChanges): Promise<boolean> {
    // LEAST/GREATEST ignore NULL: an absent change keeps the column, expiry and revocation only
    // move earlier, last use only later.
    const { rowCount } = await this.#pool.query(
      `UPDATE ${this.#table} SET
         expires_at = LEAST(expires_at, $2::timestamptz),
         revoked_at = LEAST(revoked_at, $3::timestamptz),
         last_used_at = GREATEST(last_used_at, $4::timestamptz)
       WHERE id = $1`,
      [id, date(changes.expiresAt), date(changes.revokedAt), date(changes.lastUsedAt)],
    );
    return (rowCount ?? 0) > 0;
  }

  async listByOwner(owner: string): Promise<readonly ApiKeyRecord[]> {
    const { rows } = await this.#pool.query(
      `SELECT ${COLUMNS} FROM ${this.#table} WHERE owner = $1 ORDER BY created_at DESC`,
      [owner],
    );
    return rows.map(toRecord);
  }
}
