import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { createAuditLog, DEFAULTS, isAuditError, verifyAuditChain } from '@portcullis/audit';
import { ManualClock } from '@portcullis/core';
import { describe, expect, it, vi } from 'vitest';
import { defaultsMismatches } from '../../../test/support/readmeDefaults.ts';
import { entry, KEY, MemorySink } from './support.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('the audit schema', () => {
  const log = createAuditLog({ sink: new MemorySink(), key: KEY });
  it.each([
    [{ ...entry(1), body: '{}' }, 'body'],
    [{ ...entry(1), attributes: { password: 'x' } }, 'attributes.password'],
    [{ ...entry(1), attributes: { authorization: 'x' } }, 'attributes.authorization'],
    [{ ...entry(1), target: 'Bearer abcdefghijklmnop' }, 'target'],
    [{ ...entry(1), target: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.sig' }, 'target'],
    [
      { ...entry(1), attributes: { note: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' } },
      'attributes.note',
    ],
    [{ ...entry(1), attributes: { note: 'AKIAIOSFODNN7EXAMPLE' } }, 'attributes.note'],
    [{ ...entry(1), target: '{"email":"a@b.c","card":"4242"}' }, 'target'],
    [{ ...entry(1), target: 'x'.repeat(257) }, 'target'],
    [{ ...entry(1), actor: 'svc\u0000' }, 'actor'],
    [{ ...entry(1), action: 'drop table;' }, 'action'],
    [{ ...entry(1), count: -1 }, 'count'],
    [{ ...entry(1), outcome: 'ok' }, 'outcome'],
    [
      {
        ...entry(1),
        attributes: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i])),
      },
      'attributes',
    ],
  ])('refuses %j (field %s) without echoing the value', (bad, field) => {
    const error = thrown(() => log.record(bad as never));
    expect(isAuditError(error, 'ERR_AUDIT_ENTRY_REFUSED')).toBe(true);
    expect((error as { field: string }).field).toBe(field);
    const shown = inspect(error, { depth: Number.POSITIVE_INFINITY });
    for (const secret of [
      'abcdefghijklmnop',
      'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'AKIAIOSFODNN7EXAMPLE',
      'a@b.c',
    ]) {
      expect(shown).not.toContain(secret);
    }
  });

  it('keeps only known fields, in the signed order', async () => {
    const sink = new MemorySink();
    const log2 = createAuditLog({ sink, key: KEY });
    log2.record({
      outcome: 'denied',
      action: 'webhook.verify',
      actor: 'stripe',
      reason: 'ERR_WEBHOOK_REPLAYED',
      attributes: { route: '/hooks', status: 409 },
    });
    await log2.flush();
    expect(Object.keys(JSON.parse(sink.lines[0] as string))).toEqual([
      'v',
      'chain',
      'seq',
      'ts',
      'actor',
      'action',
      'outcome',
      'reason',
      'attributes',
      'prev',
      'mac',
    ]);
  });
});

describe('batching and failure', () => {
  it('writes a batch when it is full, or when its first entry has waited batchMaxDelayMs', async () => {
    const clock = new ManualClock(0);
    const sink = new MemorySink();
    const log = createAuditLog({ sink, key: KEY, clock, batchMaxEntries: 10, batchMaxDelayMs: 50 });
    for (let i = 1; i <= 10; i++) log.record(entry(i));
    await vi.waitFor(() => expect(sink.lines).toHaveLength(10));
    log.record(entry(11));
    clock.advance(49);
    await Promise.resolve();
    expect(sink.lines).toHaveLength(10);
    clock.advance(1);
    await vi.waitFor(() => expect(sink.lines).toHaveLength(11));
    expect(sink.appends).toBe(2);
  });

  it('a failed flush loses nothing: the batch stays buffered, in order, and the chain has no gap', async () => {
    const clock = new ManualClock(0);
    const sink = new MemorySink();
    const errors: Error[] = [];
    const log = createAuditLog({ sink, key: KEY, clock, onError: (e) => errors.push(e) });
    log.record(entry(1));
    await log.flush();
    sink.failing = true;
    log.record(entry(2));
    log.record(entry(3));
    const failed = await log.flush().catch((e: unknown) => e);
    expect(isAuditError(failed, 'ERR_AUDIT_SINK_FAILED')).toBe(true);
    expect(inspect(failed, { depth: Number.POSITIVE_INFINITY })).not.toContain(KEY);
    expect(log.pending).toBe(2);
    sink.failing = false;
    log.record(entry(4));
    await log.flush();
    expect(log.pending).toBe(0);
    const result = await verifyAuditChain(sink.lines, { key: KEY });
    expect(result).toMatchObject({ ok: true, entries: 4 });
    expect(sink.lines.map((l) => JSON.parse(l).count)).toEqual([1, 2, 3, 4]);
  });

  it('retries a failed background flush with backoff on the clock', async () => {
    const clock = new ManualClock(0);
    const sink = new MemorySink();
    const errors: Error[] = [];
    const log = createAuditLog({
      sink,
      key: KEY,
      clock,
      batchMaxDelayMs: 10,
      retryInitialMs: 100,
      retryMaxMs: 100,
      onError: (e) => errors.push(e),
    });
    sink.failing = true;
    log.record(entry(1));
    clock.advance(10);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    sink.failing = false;
    clock.advance(100);
    await vi.waitFor(() => expect(sink.lines).toHaveLength(1));
  });

  it('refuses new entries with ERR_AUDIT_BACKPRESSURE once the buffer is full, never dropping old ones', async () => {
    const sink = new MemorySink();
    sink.failing = true;
    const log = createAuditLog({
      sink,
      key: KEY,
      batchMaxEntries: 5,
      maxBufferedEntries: 5,
      onError: () => {},
    });
    for (let i = 1; i <= 5; i++) log.record(entry(i));
    expect(
      isAuditError(
        thrown(() => log.record(entry(6))),
        'ERR_AUDIT_BACKPRESSURE',
      ),
    ).toBe(true);
    sink.failing = false;
    await log.flush();
    expect(sink.lines).toHaveLength(5);
  });

  it('continues the chain of a sink that already holds entries (a restart)', async () => {
    const sink = new MemorySink();
    const first = createAuditLog({ sink, key: KEY });
    first.record(entry(1));
    await first.close();
    expect(
      isAuditError(
        thrown(() => first.record(entry(2))),
        'ERR_AUDIT_CLOSED',
      ),
    ).toBe(true);
    const second = createAuditLog({ sink, key: KEY });
    second.record(entry(2));
    await second.flush();
    expect(second.head?.seq).toBe(2);
    expect(await verifyAuditChain(sink.lines, { key: KEY })).toMatchObject({
      ok: true,
      entries: 2,
    });
  });
});

describe('options', () => {
  it.each([
    [{ batchMaxEntries: 0 }, 'options.batchMaxEntries'],
    [{ batchMaxDelayMs: Number.NaN }, 'options.batchMaxDelayMs'],
    [{ maxBufferedEntries: 10, batchMaxEntries: 20 }, 'options.maxBufferedEntries'],
    [{ chain: 'a b' }, 'options.chain'],
    [{ batchSize: 5 }, 'options.batchSize'],
  ])('refuses %j naming %s', (extra, name) => {
    expect(() => createAuditLog({ sink: new MemorySink(), key: KEY, ...extra } as never)).toThrow(
      name,
    );
  });

  it('refuses a short key when a batch is signed', async () => {
    const log = createAuditLog({ sink: new MemorySink(), key: 'short' });
    log.record(entry(1));
    await expect(log.flush()).rejects.toMatchObject({ code: 'ERR_AUDIT_SINK_FAILED' });
  });

  it('the README defaults table matches DEFAULTS', () => {
    expect(
      defaultsMismatches(fileURLToPath(new URL('../README.md', import.meta.url)), DEFAULTS),
    ).toEqual([]);
  });
});
