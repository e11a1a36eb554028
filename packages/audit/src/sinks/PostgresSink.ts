import { readFile } from 'node:fs/promises';
import { invalidArgument } from '@portcullis/core';
import { type ChainHead, headOf } from '../internal/line.ts';
import type { AuditLine, AuditSink } from './AuditSink.ts';

/** The slice of a `pg` `Pool` the sink uses. */
export interface AuditQueryable {
  /** Runs one parameterised statement (`$1`, `$2`, …) and resolves with its rows. */
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Options for {@link PostgresSink}. */
export interface PostgresSinkOptions {
  /** A `pg` `Pool`. */
  pool: AuditQueryable;
  /** The table, optionally schema-qualified. Default: `'audit_log'`. */
  table?: string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}(?:\.[a-z_][a-z0-9_]{0,62})?$/;
const PAGE = 5000;

/**
 * The trail in PostgreSQL: one row per entry `(chain, seq, line)`, primary key `(chain, seq)` so a
 * second writer on the same chain fails instead of forking it. Each batch is one `INSERT … SELECT
 * unnest(…)` statement: all of it or none. Apply `migrations/001_audit_log.sql`, or call `migrate()`.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createAuditLog, PostgresSink } from '@portcullis/audit';
 * const sink = new PostgresSink({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await sink.migrate();
 * const audit = createAuditLog({ sink, key: process.env.AUDIT_KEY ?? 'an-audit-key-of-at-least-32-bytes!!' });
 * ```
 */
export class PostgresSink implements AuditSink {
  readonly #pool: AuditQueryable;
  readonly #table: string;

  constructor(options: PostgresSinkOptions) {
    if (typeof options?.pool?.query !== 'function')
      throw invalidArgument('options.pool', 'a pg Pool');
    for (const key of Object.keys(options)) {
      if (key !== 'pool' && key !== 'table')
        throw invalidArgument(`options.${key}`, 'a known option (pool, table)', 'value');
    }
    const table = options.table ?? 'audit_log';
    if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
      throw invalidArgument(
        'options.table',
        'a lower-case SQL identifier, optionally schema-qualified',
        'value',
      );
    }
    this.#pool = options.pool;
    this.#table = table
      .split('.')
      .map((p) => `"${p}"`)
      .join('.');
  }

  /** Creates the table if it does not exist (the shipped migration). */
  async migrate(): Promise<void> {
    const sql = await readFile(
      new URL('../../migrations/001_audit_log.sql', import.meta.url),
      'utf8',
    );
    await this.#pool.query(sql.replaceAll('"audit_log"', this.#table));
  }

  async head(chain: string): Promise<ChainHead | undefined> {
    const { rows } = await this.#pool.query(
      `SELECT line FROM ${this.#table} WHERE chain = $1 ORDER BY seq DESC LIMIT 1`,
      [chain],
    );
    return rows[0] === undefined ? undefined : headOf(String(rows[0].line));
  }

  async append(chain: string, lines: readonly AuditLine[]): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#table} (chain, seq, line) SELECT $1, s, l FROM unnest($2::bigint[], $3::text[]) AS t(s, l)`,
      [chain, lines.map((l) => l.seq), lines.map((l) => l.text)],
    );
  }

  /** Every line of `chain` in `seq` order, read in pages: the input `verifyAuditChain` takes. */
  async *readLines(chain = 'default'): AsyncGenerator<string> {
    let after = 0;
    for (;;) {
      const { rows } = await this.#pool.query(
        `SELECT seq, line FROM ${this.#table} WHERE chain = $1 AND seq > $2 ORDER BY seq LIMIT ${PAGE}`,
        [chain, after],
      );
      for (const row of rows) yield String(row.line);
      if (rows.length < PAGE) return;
      after = Number(rows.at(-1)?.seq);
    }
  }
}
