import { randomUUID } from 'node:crypto';
import { isPortcullisError, ManualClock } from '@portcullis/core';
import { PostgresStore } from '@portcullis/store-postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresPeer, startPostgres } from '../harness/postgres.ts';
import { describeStoreConformance } from './conformance.ts';

let peer: PostgresPeer;
let pool: pg.Pool;
beforeAll(async () => {
  peer = await startPostgres();
  pool = new pg.Pool({ connectionString: peer.url, max: 12 });
  pool.on('error', () => {});
  await new PostgresStore({ pool }).migrate();
});
afterAll(async () => {
  await pool?.end();
  await peer?.stop();
});

// Expiry runs on the database's clock: a short TTL waited out in real time with a margin.
const SHORT_TTL_MS = 80;
const MARGIN_MS = 20;

describeStoreConformance('PostgresStore', async () => {
  // A table per test: tests never see each other's rows.
  const table = `store_${randomUUID().replaceAll('-', '')}`;
  const first = new PostgresStore({ pool, table });
  await first.migrate();
  return {
    store: first,
    // Each handle queries through the pool: separate connections on the same table.
    peers: async (n) => Array.from({ length: n }, () => new PostgresStore({ pool, table })),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms + MARGIN_MS)),
    shortTtlMs: SHORT_TTL_MS,
    exactTime: false,
    close: async () => {
      await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    },
  };
});

describe('PostgresStore specifics', () => {
  it('sweeps expired rows and only those', async () => {
    const store = new PostgresStore({ pool, table: 'sweep_test' });
    await store.migrate();
    await store.set('gone', 'x', 30);
    await store.set('kept', 'y', 60_000);
    await new Promise((r) => setTimeout(r, 60));
    expect(await store.sweep()).toBe(1);
    expect(await store.get('kept')).toBe('y');
  });

  it('a query past commandTimeoutMs is ERR_STORE_UNAVAILABLE, and a setIfAbsent that lands late leaves no mark', async () => {
    const clock = new ManualClock(0);
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // A pool whose queries wait at the gate: a database that stalls, then answers.
    let landed: Promise<unknown> | undefined; // the first query: the insert we abandon
    const stalled = {
      query: (text: string, values?: unknown[]) => {
        const inner = gate.then(() => pool.query(text, values));
        landed ??= inner;
        return inner;
      },
    };
    const store = new PostgresStore({ pool: stalled, commandTimeoutMs: 500, clock });
    const attempt = store.setIfAbsent('late-mark', 'v', 60_000).catch((e: unknown) => e);
    await new Promise((r) => setImmediate(r));
    clock.advance(500);
    const error = await attempt;
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    release();
    const direct = new PostgresStore({ pool });
    const late = (await landed) as { rowCount: number };
    expect(late.rowCount).toBe(1); // the abandoned insert did land…
    // …and the compensating delete takes it back.
    await expect.poll(() => direct.get('late-mark'), { timeout: 3000 }).toBeUndefined();
    expect(await direct.setIfAbsent('late-mark', 'again', 60_000)).toBe(true);
  });

  it('a stopped database is ERR_STORE_UNAVAILABLE without the connection string in any message', async () => {
    const dead = new pg.Pool({ connectionString: 'postgres://app:hunter2-secret@127.0.0.1:1/app' });
    dead.on('error', () => {});
    const store = new PostgresStore({ pool: dead });
    const error = await store.get('k').catch((e: unknown) => e);
    expect(isPortcullisError(error, 'ERR_STORE_UNAVAILABLE')).toBe(true);
    expect(JSON.stringify(error)).not.toContain('hunter2');
    expect((error as Error).message).not.toContain('hunter2');
    await dead.end();
  });

  it('refuses a bad table name and unknown options', () => {
    expect(() => new PostgresStore({ pool, table: 'x; DROP TABLE y' })).toThrow('options.table');
    expect(() => new PostgresStore({ pool, timeoutMs: 5 } as never)).toThrow('options.timeoutMs');
  });
});
