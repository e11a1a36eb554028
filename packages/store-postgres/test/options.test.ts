import { fileURLToPath } from 'node:url';
import { DEFAULTS, PostgresStore } from '@portcullis/store-postgres';
import { describe, expect, it } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';

const pool = { query: async () => ({ rows: [], rowCount: 0 }) };

describe('PostgresStore options', () => {
  it.each([
    [{ commandTimeoutMs: 0 }, 'options.commandTimeoutMs'],
    [{ commandTimeoutMs: Number.NaN }, 'options.commandTimeoutMs'],
    [{ table: 'Bad-Name' }, 'options.table'],
    [{ pool: {} }, 'options.pool'],
    [{ commandTimeout: 5 }, 'Did you mean "commandTimeoutMs"?'],
  ])('refuses %j', (extra, message) => {
    expect(() => new PostgresStore({ pool, ...extra } as never)).toThrow(message);
  });

  it('refuses misuse before any query', async () => {
    const store = new PostgresStore({ pool });
    await expect(store.set('k', 'v', 0)).rejects.toThrow(TypeError);
    await expect(store.increment('k', 1000, 1.5)).rejects.toThrow(TypeError);
    await expect(store.get(1 as never)).rejects.toThrow(TypeError);
  });

  it('the README defaults table matches DEFAULTS', () => {
    expect(
      defaultsMismatches(fileURLToPath(new URL('../README.md', import.meta.url)), DEFAULTS),
    ).toEqual([]);
  });
});
