// Audit trail throughput: appends per second to a JSONL file with the chain (batched; fsync per
// batch and off), against the floor of writing the same unsigned lines; and the time to verify a
// chain of ENTRIES (default 1,000,000) read back from the files.
// Run: pnpm --filter @portcullis/audit bench
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog, JsonlSink, verifyAuditChain } from '@portcullis/audit';

const KEY = 'bench-audit-key-that-is-at-least-32-bytes';
const N = Number(process.env.ENTRIES ?? 1_000_000);
const entry = (i: number) => ({
  actor: 'key_7Hq2',
  action: 'orders.export',
  category: 'pii.contact',
  target: 'crm',
  count: i,
  outcome: 'success' as const,
});

async function floor(dir: string, n: number): Promise<number> {
  const started = performance.now();
  const out = createWriteStream(join(dir, 'floor.jsonl'));
  let chunk = '';
  for (let i = 0; i < n; i++) {
    chunk += `${JSON.stringify({ v: 1, seq: i + 1, ts: new Date().toISOString(), ...entry(i) })}\n`;
    if ((i + 1) % 1000 === 0) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      chunk = '';
    }
  }
  await new Promise<void>((r) => out.end(chunk, () => r()));
  return n / ((performance.now() - started) / 1000);
}

async function appends(dir: string, n: number, fsync: 'batch' | 'never'): Promise<number> {
  const log = createAuditLog({
    sink: new JsonlSink({ directory: dir, fsync }),
    key: KEY,
    batchMaxEntries: 1000,
    maxBufferedEntries: 1_000_000,
  });
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    log.record(entry(i));
    if ((i + 1) % 10_000 === 0) await log.flush();
  }
  await log.close();
  return n / ((performance.now() - started) / 1000);
}

const root = mkdtempSync(join(tmpdir(), 'portcullis-audit-bench-'));
try {
  const small = Math.min(N, 200_000);
  const raw = await floor(root, small);
  const never = await appends(join(root, 'never'), small, 'never');
  const batch = await appends(join(root, 'batch'), small, 'batch');
  const big = join(root, 'big');
  await appends(big, N, 'never');
  const started = performance.now();
  const result = await verifyAuditChain(JsonlSink.readLines(big), { key: KEY });
  const verifySec = (performance.now() - started) / 1000;
  if (!result.ok || result.entries !== N) throw new Error('bench chain did not verify');
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  process.stdout.write(
    [
      '| case | entries/s | vs floor |',
      '| --- | ---: | ---: |',
      `| floor: unsigned JSON lines to a file stream | ${fmt(raw)} | 1.00× |`,
      `| record → JsonlSink, fsync never | ${fmt(never)} | ${(never / raw).toFixed(2)}× |`,
      `| record → JsonlSink, fsync per batch of 1000 | ${fmt(batch)} | ${(batch / raw).toFixed(2)}× |`,
      `| verifyAuditChain over ${fmt(N)} entries | ${fmt(N / verifySec)} (${verifySec.toFixed(1)} s) | — |`,
    ].join('\n') + '\n',
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
