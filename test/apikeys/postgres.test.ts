import { createApiKeys, isApiKeyError, PostgresKeyRepository } from '@portcullis/apikeys';
import { ManualClock, reveal } from '@portcullis/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresPeer, startPostgres } from '../harness/postgres.ts';

const PEPPER = 'integration-pepper-at-least-32-bytes-long!!';
let peer: PostgresPeer;
let pool: pg.Pool;

beforeAll(async () => {
  peer = await startPostgres();
  pool = new pg.Pool({ connectionString: peer.url, max: 10 });
  pool.on('error', () => {}); // idle clients see the server's shutdown at the end
});
afterAll(async () => {
  await pool?.end();
  await peer?.stop();
});

describe('PostgresKeyRepository on a real PostgreSQL 15', () => {
  it('migrates (twice, idempotently) and round-trips issue → verify → rotate → revoke', async () => {
    const repository = new PostgresKeyRepository({ pool });
    await repository.migrate();
    await repository.migrate();
    const clock = new ManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const keys = createApiKeys({
      prefix: 'pc_live',
      pepper: PEPPER,
      repository,
      clock,
      cacheTtlMs: 0,
    });
    const issued = await keys.issue({
      owner: 'acme',
      name: 'sync',
      scopes: ['orders:read', 'orders:write'],
    });
    const key = reveal(issued.key);
    const verified = await keys.verify(key, ['orders:write']);
    expect(verified).toMatchObject({
      id: issued.id,
      owner: 'acme',
      scopes: ['orders:read', 'orders:write'],
    });

    const { rows } = await pool.query('SELECT * FROM api_keys WHERE id = $1', [issued.id]);
    expect(JSON.stringify(rows)).not.toContain(key.slice(16 + 8));

    clock.advance(1000);
    const next = await keys.rotate(issued.id, { overlapMs: 60_000 });
    await expect(keys.verify(key)).resolves.toMatchObject({ id: issued.id });
    clock.advance(60_000);
    const expired = await keys.verify(key).catch((e: unknown) => e);
    expect(isApiKeyError(expired) && expired.refusal).toBe('expired');
    await keys.verify(reveal(next.key));
    await keys.revoke(next.id);
    const revoked = await keys.verify(reveal(next.key)).catch((e: unknown) => e);
    expect(isApiKeyError(revoked) && revoked.refusal).toBe('revoked');
    const listed = await keys.list('acme');
    expect(listed.map((k) => k.id)).toEqual([next.id, issued.id]);
    expect((await repository.findById(next.id))?.rotatedFrom).toBe(issued.id);
  });

  it('treats hostile owner and name text as data (parameterised queries)', async () => {
    const repository = new PostgresKeyRepository({ pool, table: 'hostile_keys' });
    await repository.migrate();
    const keys = createApiKeys({ prefix: 'pc_live', pepper: PEPPER, repository });
    const owner = "x'; DROP TABLE hostile_keys; --";
    const issued = await keys.issue({ owner, name: "Robert'); DELETE FROM api_keys;--" });
    expect((await keys.list(owner)).map((k) => k.id)).toEqual([issued.id]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM hostile_keys');
    expect(rows[0].n).toBe(1);
  });

  it('last use only moves forward and expiry only earlier, under concurrent updates', async () => {
    const repository = new PostgresKeyRepository({ pool });
    await repository.migrate();
    const keys = createApiKeys({ prefix: 'pc_live', pepper: PEPPER, repository });
    const issued = await keys.issue({
      owner: 'race',
      expiresAt: Date.parse('2030-01-01T00:00:00Z'),
    });
    const times = Array.from(
      { length: 20 },
      (_, i) => Date.parse('2026-12-01T00:00:00Z') + i * 1000,
    );
    await Promise.all(times.map((t) => repository.update(issued.id, { lastUsedAt: t })).reverse());
    await repository.update(issued.id, { expiresAt: Date.parse('2031-01-01T00:00:00Z') });
    const record = await repository.findById(issued.id);
    expect(record?.lastUsedAt).toBe(times.at(-1));
    expect(record?.expiresAt).toBe(Date.parse('2030-01-01T00:00:00Z'));
  });

  it('a stopped database is a typed 503, bounded by repositoryTimeoutMs', async () => {
    const dead = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/postgres',
      connectionTimeoutMillis: 5000,
    });
    const repository = new PostgresKeyRepository({ pool: dead });
    const live = createApiKeys({
      prefix: 'pc_live',
      pepper: PEPPER,
      repository: new PostgresKeyRepository({ pool }),
    });
    const key = reveal((await live.issue({ owner: 'acme' })).key);
    const keys = createApiKeys({
      prefix: 'pc_live',
      pepper: PEPPER,
      repository,
      repositoryTimeoutMs: 500,
    });
    const started = Date.now();
    const error = await keys.verify(key).catch((e: unknown) => e);
    expect(isApiKeyError(error, 'ERR_APIKEY_REPOSITORY_UNAVAILABLE')).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    await dead.end();
  });
});
