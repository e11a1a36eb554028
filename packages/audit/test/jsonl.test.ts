import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuditLog, JsonlSink, verifyAuditChain } from '@portcullis/audit';
import { afterEach, describe, expect, it } from 'vitest';
import { entry, KEY, tempDir } from './support.ts';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

describe('JsonlSink', () => {
  it('writes one signed line per entry that verifies, and never the key', async () => {
    const { dir, remove } = tempDir();
    cleanup = remove;
    const log = createAuditLog({ sink: new JsonlSink({ directory: dir }), key: KEY });
    for (let i = 1; i <= 100; i++) log.record(entry(i));
    await log.close();
    const lines = await collect(JsonlSink.readLines(dir));
    expect(lines).toHaveLength(100);
    expect(await verifyAuditChain(JsonlSink.readLines(dir), { key: KEY })).toMatchObject({
      ok: true,
      entries: 100,
    });
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8')).not.toContain(KEY);
  });

  it('rotates files and keeps the chain across them', async () => {
    const { dir, remove } = tempDir();
    cleanup = remove;
    const log = createAuditLog({
      sink: new JsonlSink({ directory: dir, maxFileBytes: 4096, fsync: 'never' }),
      key: KEY,
      batchMaxEntries: 10,
    });
    for (let i = 1; i <= 200; i++) log.record(entry(i));
    await log.close();
    expect(readdirSync(dir).length).toBeGreaterThan(3);
    expect(await verifyAuditChain(JsonlSink.readLines(dir), { key: KEY })).toMatchObject({
      ok: true,
      entries: 200,
    });
  });

  it('a restarted process continues the chain in the same files', async () => {
    const { dir, remove } = tempDir();
    cleanup = remove;
    for (let run = 0; run < 3; run++) {
      const log = createAuditLog({ sink: new JsonlSink({ directory: dir }), key: KEY });
      for (let i = 1; i <= 5; i++) log.record(entry(i));
      await log.close();
    }
    expect(await verifyAuditChain(JsonlSink.readLines(dir), { key: KEY })).toMatchObject({
      ok: true,
      entries: 15,
    });
  });

  it('cuts a torn last line (power loss mid-batch) and continues a verifiable chain', async () => {
    const { dir, remove } = tempDir();
    cleanup = remove;
    const first = createAuditLog({ sink: new JsonlSink({ directory: dir }), key: KEY });
    for (let i = 1; i <= 5; i++) first.record(entry(i));
    await first.close();
    const file = join(dir, readdirSync(dir)[0] as string);
    const lastLine = readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) as string;
    appendFileSync(file, lastLine.replace('"seq":5', '"seq":6').slice(0, 40)); // half of a next line
    expect((await verifyAuditChain(JsonlSink.readLines(dir), { key: KEY })).ok).toBe(false);
    const second = createAuditLog({ sink: new JsonlSink({ directory: dir }), key: KEY });
    second.record(entry(6));
    await second.close();
    expect(await verifyAuditChain(JsonlSink.readLines(dir), { key: KEY })).toMatchObject({
      ok: true,
      entries: 6,
    });
  });

  it('keeps chains apart by name', async () => {
    const { dir, remove } = tempDir();
    cleanup = remove;
    const a = createAuditLog({ sink: new JsonlSink({ directory: dir }), key: KEY, chain: 'a' });
    const b = createAuditLog({ sink: new JsonlSink({ directory: dir }), key: KEY, chain: 'b' });
    a.record(entry(1));
    b.record(entry(2));
    b.record(entry(3));
    await Promise.all([a.close(), b.close()]);
    expect(await verifyAuditChain(JsonlSink.readLines(dir, 'a'), { key: KEY })).toMatchObject({
      ok: true,
      entries: 1,
    });
    expect(await verifyAuditChain(JsonlSink.readLines(dir, 'b'), { key: KEY })).toMatchObject({
      ok: true,
      entries: 2,
    });
  });

  it('refuses unknown and out-of-range options', () => {
    expect(() => new JsonlSink({ directory: '/tmp/x', maxFileBytes: 0 })).toThrow(
      'options.maxFileBytes',
    );
    expect(() => new JsonlSink({ directory: '/tmp/x', fsync: 'always' } as never)).toThrow(
      'options.fsync',
    );
    expect(() => new JsonlSink({ dir: '/tmp/x' } as never)).toThrow(/options\.(dir|directory)/);
  });
});
