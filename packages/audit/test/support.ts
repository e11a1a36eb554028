import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEntry, AuditLine, AuditSink, ChainHead } from '@portcullis/audit';

export const KEY = 'test-audit-key-that-is-at-least-32-bytes';

/** A sink in memory that can be told to fail, for the log's own behaviour. */
export class MemorySink implements AuditSink {
  lines: string[] = [];
  failing = false;
  appends = 0;
  async head(): Promise<ChainHead | undefined> {
    const last = this.lines.at(-1);
    if (last === undefined) return undefined;
    const parsed = JSON.parse(last) as { seq: number; mac: string };
    return { seq: parsed.seq, mac: parsed.mac };
  }
  async append(_chain: string, lines: readonly AuditLine[]): Promise<void> {
    this.appends++;
    if (this.failing) throw new Error('disk on fire');
    this.lines.push(...lines.map((l) => l.text));
  }
}

export function entry(i: number): AuditEntry {
  return {
    actor: `svc-${i % 3}`,
    action: 'orders.export',
    category: 'pii.contact',
    target: 'crm',
    count: i,
    outcome: 'success',
  };
}

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-audit-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
