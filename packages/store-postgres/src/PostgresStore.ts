import {
  boundedCall,
  type Clock,
  type Counter,
  invalidArgument,
  resolveOptions,
  rules,
  type Store,
  StoreError,
  systemClock,
} from '@portcullis/core';

/** The slice of a `pg` `Pool` the store uses. */
export interface StoreQueryable {
  /** Runs one parameterised statement (`$1`, `$2`, …) and resolves with its rows. */
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

/** Options for {@link PostgresStore}. */
export interface PostgresStoreOptions {
  /** A `pg` `Pool`. */
  pool: StoreQueryable;
  /** The table, optionally schema-qualified. Default: `'portcullis_store'`. */
  table?: string;
  /** The bound on each query; past it the call rejects with `ERR_STORE_UNAVAILABLE`. Milliseconds. Default: 2000. */
  commandTimeoutMs?: number;
  /** The clock the bound runs on (expiry itself runs on the database's clock). Default: `systemClock`. */
  clock?: Clock;
}

/** The defaults of {@link PostgresStoreOptions}, in one place. */
export const DEFAULTS: { readonly table: 'portcullis_store'; readonly commandTimeoutMs: 2000 } =
  Object.freeze({ table: 'portcullis_store', commandTimeoutMs: 2000 });

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(?:\.[a-z_][a-z0-9_]{0,62})?$/;
const MAX_SAFE = '9007199254740991';

function checkString(name: string, value: unknown): void {
  if (typeof value !== 'string') throw invalidArgument(name, 'a string');
}
function checkTtl(ttlMs: unknown): void {
  if (typeof ttlMs !== 'number') throw invalidArgument('ttlMs', 'a number of milliseconds');
  if (!Number.isFinite(ttlMs) || ttlMs <= 0)
    throw invalidArgument('ttlMs', 'a positive number of milliseconds', 'value');
}
const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

/**
 * The `Store` on PostgreSQL, for services that have a database and no Redis: idempotency records,
 * replay nonces, locks and counters shared by every replica. Keys and values are stored as UTF-8
 * `bytea` (any string round-trips, NUL included); every operation is one statement, atomic across
 * connections; expiry runs on the **database's** clock, so replicas whose clocks differ agree.
 * Expired rows are ignored at once and removed by {@link PostgresStore.sweep} (call it from a job,
 * e.g. every minute). Apply `migrations/001_portcullis_store.sql`, or call `migrate()`.
 *
 * A query that does not answer within `commandTimeoutMs` rejects with `ERR_STORE_UNAVAILABLE`;
 * if a `setIfAbsent` it abandoned lands later, the row it wrote is removed again (compare-and-
 * delete), so a refused caller never leaves a mark behind.
 *
 * @example
 * ```ts
 * import { randomUUID } from 'node:crypto';
 * import pg from 'pg';
 * import { PostgresStore } from '@portcullis/store-postgres';
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * // A value unique to this caller: compare-and-delete then removes only this caller's mark.
 * await store.setIfAbsent('idem:acme:order-42', randomUUID(), 60_000); // true once, fleet-wide
 * ```
 */
export class PostgresStore implements Store {
  readonly #pool: StoreQueryable;
  readonly #table: string;
  readonly #timeoutMs: number;
  readonly #clock: Clock;

  constructor(options: PostgresStoreOptions) {
    const o = resolveOptions<PostgresStoreOptions, typeof DEFAULTS & { clock: Clock }>(
      'options',
      options,
      { ...DEFAULTS, clock: systemClock },
      {
        pool: rules.implementing<StoreQueryable>('query'),
        table: rules.custom((value, path) => {
          if (typeof value !== 'string') throw invalidArgument(path, 'a string');
          if (!IDENTIFIER.test(value))
            throw invalidArgument(
              path,
              'a lower-case SQL identifier, optionally schema-qualified',
              'value',
            );
          return value;
        }),
        commandTimeoutMs: rules.durationMs(),
        clock: rules.implementing<Clock>('now', 'sleep', 'schedule'),
      },
    );
    this.#pool = o.pool;
    this.#table = o.table
      .split('.')
      .map((p) => `"${p}"`)
      .join('.');
    this.#timeoutMs = o.commandTimeoutMs;
    this.#clock = o.clock;
  }

  /** Creates the table if it does not exist (the shipped migration, for this table name). */
  async migrate(): Promise<void> {
    const { readFile } = await import('node:fs/promises');
    const sql = await readFile(
      new URL('../migrations/001_portcullis_store.sql', import.meta.url),
      'utf8',
    );
    const plain = this.#table.replaceAll('"', '').replace('.', '_');
    await this.#run(
      sql
        .replaceAll('"portcullis_store"', this.#table)
        .replaceAll('portcullis_store_expires_idx', `${plain}_expires_idx`),
    );
  }

  /** Removes up to `limit` expired rows; returns how many. */
  async sweep(limit = 10_000): Promise<number> {
    const { rowCount } = await this.#run(
      `DELETE FROM ${this.#table} WHERE ctid IN (SELECT ctid FROM ${this.#table} WHERE expires_at <= clock_timestamp() LIMIT $1)`,
      [limit],
    );
    return rowCount ?? 0;
  }

  async get(key: string): Promise<string | undefined> {
    checkString('key', key);
    const { rows } = await this.#run(
      `SELECT value FROM ${this.#table} WHERE key = $1 AND expires_at > clock_timestamp()`,
      [bytes(key)],
    );
    return rows[0] === undefined ? undefined : (rows[0].value as Buffer).toString('utf8');
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    checkString('key', key);
    checkString('value', value);
    checkTtl(ttlMs);
    await this.#run(
      `INSERT INTO ${this.#table} (key, value, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at`,
      [bytes(key), bytes(value), ttlMs],
    );
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    checkString('key', key);
    checkString('value', value);
    checkTtl(ttlMs);
    const { rowCount } = await this.#run(
      `INSERT INTO ${this.#table} AS t (key, value, expires_at) VALUES ($1, $2, clock_timestamp() + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at
       WHERE t.expires_at <= clock_timestamp()`,
      [bytes(key), bytes(value), ttlMs],
      // Landed after we gave up on it: take the mark back, so a refused caller leaves none.
      (result) => {
        if ((result.rowCount ?? 0) > 0) void this.compareAndDelete(key, value).catch(() => {});
      },
    );
    return (rowCount ?? 0) > 0;
  }

  async increment(key: string, ttlMs: number, by = 1): Promise<Counter> {
    checkString('key', key);
    checkTtl(ttlMs);
    if (!Number.isSafeInteger(by)) throw invalidArgument('by', 'a safe integer', 'value');
    // A value that is not a plain integer, or a sum past 2^53 - 1, becomes NULL, which the NOT NULL
    // column refuses: the statement fails whole and nothing is written.
    try {
      const { rows } = await this.#run(
        `INSERT INTO ${this.#table} AS t (key, value, expires_at)
           VALUES ($1, convert_to($2::text, 'UTF8'), clock_timestamp() + $3 * interval '1 millisecond')
         ON CONFLICT (key) DO UPDATE SET
           value = CASE
             WHEN t.expires_at <= clock_timestamp() THEN EXCLUDED.value
             WHEN convert_from(t.value, 'UTF8') ~ '^-?[0-9]{1,16}$'
               AND abs(convert_from(t.value, 'UTF8')::numeric + $2::numeric) <= ${MAX_SAFE}
               THEN convert_to((convert_from(t.value, 'UTF8')::numeric + $2::numeric)::text, 'UTF8')
             ELSE NULL END,
           expires_at = CASE WHEN t.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at ELSE t.expires_at END
         RETURNING convert_from(value, 'UTF8') AS value,
           GREATEST(0, ceil(EXTRACT(EPOCH FROM (expires_at - clock_timestamp())) * 1000))::bigint AS ttl`,
        [bytes(key), String(by), ttlMs],
      );
      const row = rows[0] as { value: string; ttl: string | number };
      return { value: Number(row.value), ttlMs: Number(row.ttl) };
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === '23502' || code === '22021' || code === '22P02' || code === '22003') {
        throw new StoreError(
          'ERR_STORE_CORRUPT',
          'The counter does not hold an integer, or the increment would overflow it.',
        );
      }
      throw error;
    }
  }

  async delete(key: string): Promise<boolean> {
    checkString('key', key);
    const { rows } = await this.#run(
      `DELETE FROM ${this.#table} WHERE key = $1 RETURNING expires_at > clock_timestamp() AS live`,
      [bytes(key)],
    );
    return rows[0]?.live === true;
  }

  async compareAndDelete(key: string, expected: string): Promise<boolean> {
    checkString('key', key);
    checkString('expected', expected);
    const { rowCount } = await this.#run(
      `DELETE FROM ${this.#table} WHERE key = $1 AND value = $2 AND expires_at > clock_timestamp()`,
      [bytes(key), bytes(expected)],
    );
    return (rowCount ?? 0) > 0;
  }

  #run(
    text: string,
    values?: unknown[],
    onLate?: (result: { rows: Record<string, unknown>[]; rowCount: number | null }) => void,
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }> {
    return boundedCall(() => this.#pool.query(text, values), {
      timeoutMs: this.#timeoutMs,
      clock: this.#clock,
      onTimeout: () =>
        new StoreError(
          'ERR_STORE_UNAVAILABLE',
          `PostgreSQL did not answer within ${this.#timeoutMs} ms.`,
        ),
      onLateResult: onLate,
    }).catch((error: unknown) => {
      if (error instanceof StoreError) throw error;
      // The driver's error stays the cause (for logs); the message names no host or credential.
      throw new StoreError('ERR_STORE_UNAVAILABLE', 'The PostgreSQL store failed.', {
        cause: error,
      });
    });
  }
}
