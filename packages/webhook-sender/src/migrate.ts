import { resolveOptions, rules } from '@portcullis/core';
import { DEFAULTS } from './internal/options.ts';
import { checkSchema } from './internal/sql.ts';
import type { Queryable } from './options.ts';

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /** Schema to create the tables in. Default: `'webhook_sender'` (`DEFAULTS.schema`). */
  schema?: string;
}

const FILE = '001_webhook_sender.sql';

/**
 * The shipped migration (`migrations/001_webhook_sender.sql`) for `schema`: the file's SQL with
 * its schema name replaced by the validated one. Idempotent (`IF NOT EXISTS` throughout).
 *
 * @example
 * ```ts
 * import { migrationSql } from '@portcullis/webhook-sender';
 * const sql = await migrationSql({ schema: 'outbox' });
 * sql.includes('CREATE TABLE IF NOT EXISTS "outbox".deliveries'); // true
 * ```
 */
export async function migrationSql(options?: MigrateOptions): Promise<string> {
  const { schema } = resolveOptions<MigrateOptions, { schema: string }>(
    'options',
    options,
    { schema: DEFAULTS.schema },
    { schema: rules.custom(checkSchema) },
  );
  const { readFile } = await import('node:fs/promises');
  const text = await readFile(new URL(`../migrations/${FILE}`, import.meta.url), 'utf8');
  return text
    .replace(/\bwebhook_sender\./g, `"${schema}".`)
    .replace(
      /CREATE SCHEMA IF NOT EXISTS webhook_sender;/,
      `CREATE SCHEMA IF NOT EXISTS "${schema}";`,
    );
}

/**
 * Creates the outbox tables (endpoints, messages, deliveries, attempts) in `schema` on `client`
 * (a pool, a client, or your migration tool's transaction). Safe to run again.
 *
 * @example
 * ```ts
 * import { migrate } from '@portcullis/webhook-sender';
 * import pg from 'pg';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * await migrate(pool, { schema: 'webhook_sender' });
 * ```
 */
export async function migrate(client: Queryable, options?: MigrateOptions): Promise<void> {
  await client.query(await migrationSql(options));
}
