// Where the example's database comes from: DATABASE_URL, or a throwaway PostgreSQL cluster made by
// the repository's test harness (removed by `stop()`).
import { startPostgres } from '../../../test/harness/postgres.ts';

export async function exampleDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  return startPostgres();
}
