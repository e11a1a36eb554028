import { createAuditLog, verifyAuditChain } from '@portcullis/audit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entry, KEY, MemorySink } from './support.ts';

async function trail(n: number): Promise<string[]> {
  const sink = new MemorySink();
  const log = createAuditLog({ sink, key: KEY });
  for (let i = 1; i <= n; i++) log.record(entry(i));
  await log.flush();
  return sink.lines;
}

describe('verifyAuditChain', () => {
  it('accepts an untouched trail and reports its head', async () => {
    const lines = await trail(10);
    const result = await verifyAuditChain(lines, { key: KEY });
    expect(result).toMatchObject({ ok: true, entries: 10, head: { seq: 10 } });
  });

  it('an edited value is caught at its line', async () => {
    const lines = await trail(10);
    lines[4] = (lines[4] as string).replace('"count":5', '"count":50');
    expect(await verifyAuditChain(lines, { key: KEY })).toEqual({
      ok: false,
      entries: 4,
      problem: 'edited',
      at: { line: 5, expectedSeq: 5 },
    });
  });

  it('a deleted entry is caught where the gap is', async () => {
    const lines = await trail(10);
    lines.splice(6, 1);
    expect(await verifyAuditChain(lines, { key: KEY })).toMatchObject({
      ok: false,
      problem: 'deleted',
      at: { line: 7, expectedSeq: 7 },
    });
  });

  it('a duplicated (re-inserted) entry is caught', async () => {
    const lines = await trail(10);
    lines.splice(3, 0, lines[2] as string);
    expect(await verifyAuditChain(lines, { key: KEY })).toMatchObject({
      ok: false,
      problem: 'inserted',
      at: { line: 4 },
    });
  });

  it('a forged entry (no key) is caught', async () => {
    const lines = await trail(5);
    const forged = (lines[2] as string).replace(
      /"mac":"[0-9a-f]{64}"/,
      `"mac":"${'a'.repeat(64)}"`,
    );
    lines.splice(3, 0, forged);
    expect(await verifyAuditChain(lines, { key: KEY })).toMatchObject({
      ok: false,
      problem: 'inserted',
      at: { line: 4 },
    });
  });

  it('two swapped entries are caught as reordered', async () => {
    const lines = await trail(10);
    [lines[3], lines[4]] = [lines[4] as string, lines[3] as string];
    expect(await verifyAuditChain(lines, { key: KEY })).toMatchObject({
      ok: false,
      problem: 'reordered',
      at: { line: 4, expectedSeq: 4 },
    });
  });

  it('a lost tail is caught only against a head recorded elsewhere', async () => {
    const lines = await trail(10);
    const full = await verifyAuditChain(lines, { key: KEY });
    const head = full.ok ? full.head : undefined;
    const cut = lines.slice(0, 8);
    expect((await verifyAuditChain(cut, { key: KEY })).ok).toBe(true);
    expect(
      await verifyAuditChain(cut, { key: KEY, ...(head ? { expectHead: head } : {}) }),
    ).toMatchObject({ ok: false, problem: 'deleted' });
  });

  it('garbage is malformed; the wrong key fails at the first line', async () => {
    const lines = await trail(3);
    expect(
      await verifyAuditChain([...lines.slice(0, 2), '{"not":"a trail line"}'], { key: KEY }),
    ).toMatchObject({ problem: 'malformed', at: { line: 3 } });
    expect(await verifyAuditChain(lines, { key: `${KEY}-other` })).toMatchObject({
      ok: false,
      problem: 'edited',
      at: { line: 1 },
    });
  });

  it('any single-byte change, deletion, duplication or swap is detected (property)', async () => {
    const lines = await trail(12);
    const mutation = fc.oneof(
      fc.record({
        kind: fc.constant('byte' as const),
        line: fc.nat(11),
        at: fc.nat(400),
        to: fc.integer({ min: 32, max: 126 }),
      }),
      fc.record({ kind: fc.constant('delete' as const), line: fc.nat(10) }),
      fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat(11) }),
      fc.record({ kind: fc.constant('swap' as const), line: fc.nat(10) }),
    );
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const copy = [...lines];
        if (m.kind === 'byte') {
          const text = copy[m.line] as string;
          const at = m.at % text.length;
          if (text.charCodeAt(at) === m.to) return;
          copy[m.line] = text.slice(0, at) + String.fromCharCode(m.to) + text.slice(at + 1);
        } else if (m.kind === 'delete') copy.splice(m.line, 1);
        else if (m.kind === 'duplicate') copy.splice(m.line, 0, copy[m.line] as string);
        else
          [copy[m.line], copy[m.line + 1]] = [copy[m.line + 1] as string, copy[m.line] as string];
        const result = await verifyAuditChain(copy, { key: KEY });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
