import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAuditLog, JsonlSink, PostgresSink, verifyAuditChain } from '@portcullis/audit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresPeer, startPostgres } from '../harness/postgres.ts';

const KEY = 'integration-audit-key-at-least-32-bytes!';

/** Starts the worker, waits for its first batch, lets it write for `ms`, then SIGKILLs it. */
function crashAfter(directory: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = new URL('./crashWorker.ts', import.meta.url);
    const child = spawn(
      process.execPath,
      ['--conditions=@portcullis/source', fileURLToPath(script)],
      {
        cwd: fileURLToPath(new URL('.', script)),
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('worker never became ready'));
    }, 20_000);
    child.stderr.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.once('exit', () => {
      clearTimeout(guard);
      resolve();
    });
    child.stdin.end(JSON.stringify({ directory, key: KEY }));
  });
}

describe('a process killed mid-batch', () => {
  it('leaves a trail that verifies, and the next process continues it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'portcullis-audit-crash-'));
    try {
      await crashAfter(directory, 150);
      const after = createAuditLog({ sink: new JsonlSink({ directory }), key: KEY });
      after.record({ actor: 'restarted', action: 'orders.export', outcome: 'success' });
      await after.close();
      const result = await verifyAuditChain(JsonlSink.readLines(directory), { key: KEY });
      expect(result.ok).toBe(true);
      expect(result.entries).toBeGreaterThan(50);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('PostgresSink on a real PostgreSQL 15', () => {
  let peer: PostgresPeer;
  let pool: pg.Pool;
  beforeAll(async () => {
    peer = await startPostgres();
    pool = new pg.Pool({ connectionString: peer.url });
    pool.on('error', () => {});
  });
  afterAll(async () => {
    await pool?.end();
    await peer?.stop();
  });

  it('writes batches atomically, continues after a restart, and catches an edit made in SQL', async () => {
    const sink = new PostgresSink({ pool });
    await sink.migrate();
    const first = createAuditLog({ sink, key: KEY, chain: 'api', batchMaxEntries: 100 });
    for (let i = 1; i <= 250; i++)
      first.record({ actor: 'svc', action: 'orders.export', count: i, outcome: 'success' });
    await first.close();
    const second = createAuditLog({ sink: new PostgresSink({ pool }), key: KEY, chain: 'api' });
    second.record({ actor: 'svc', action: 'orders.export', count: 251, outcome: 'success' });
    await second.flush();
    expect(await verifyAuditChain(sink.readLines('api'), { key: KEY })).toMatchObject({
      ok: true,
      entries: 251,
    });

    await pool.query(
      `UPDATE audit_log SET line = replace(line, '"count":7,', '"count":8,') WHERE chain = 'api' AND seq = 7`,
    );
    expect(await verifyAuditChain(sink.readLines('api'), { key: KEY })).toMatchObject({
      ok: false,
      problem: 'edited',
      at: { expectedSeq: 7 },
    });
    await pool.query(`DELETE FROM audit_log WHERE chain = 'api' AND seq = 100`);
    await pool.query(
      `UPDATE audit_log SET line = replace(line, '"count":8,', '"count":7,') WHERE chain = 'api' AND seq = 7`,
    );
    expect(await verifyAuditChain(sink.readLines('api'), { key: KEY })).toMatchObject({
      ok: false,
      problem: 'deleted',
      at: { expectedSeq: 100 },
    });
  });

  it('a second writer on the same chain fails instead of forking it, and loses nothing', async () => {
    const sink = new PostgresSink({ pool });
    await sink.migrate();
    const a = createAuditLog({ sink, key: KEY, chain: 'contended' });
    const b = createAuditLog({
      sink: new PostgresSink({ pool }),
      key: KEY,
      chain: 'contended',
      onError: () => {},
    });
    a.record({ actor: 'a', action: 'x.y', outcome: 'success' });
    await a.flush(); // a holds the head at seq 1
    b.record({ actor: 'b', action: 'x.y', outcome: 'success' });
    await b.flush(); // b reads seq 1 and writes seq 2
    a.record({ actor: 'a', action: 'x.y', outcome: 'success' });
    const failed = await a.flush().catch((e: unknown) => e);
    expect((failed as { code?: string }).code).toBe('ERR_AUDIT_SINK_FAILED');
    expect(a.pending).toBe(1);
    expect(await verifyAuditChain(sink.readLines('contended'), { key: KEY })).toMatchObject({
      ok: true,
      entries: 2,
    });
  });
});
