import { createHmac } from 'node:crypto';
import type { SecretInput } from '@portcullis/core';
import { timingSafeEqual } from '@portcullis/core';
import { type ChainHead, GENESIS, macKey, splitLine } from './internal/line.ts';

/** What was wrong where a chain broke. */
export type ChainProblem =
  /** A line's MAC does not match its bytes: it was changed (or forged without the key). */
  | 'edited'
  /** One or more entries before this one are missing (a gap in `seq`), or the tail is missing (`expectHead`). */
  | 'deleted'
  /** A valid entry appears again, or an entry of another chain/position was put here. */
  | 'inserted'
  /** A valid entry is out of order. */
  | 'reordered'
  /** A line that is not a trail line at all (bad JSON, no MAC). */
  | 'malformed';

/** The outcome of {@link verifyAuditChain}. */
export type ChainVerification =
  | { ok: true; entries: number; head: ChainHead | undefined }
  | {
      ok: false;
      /** Entries verified before the break. */
      entries: number;
      problem: ChainProblem;
      /** Where: the 1-based line number in the source, and the `seq` the chain expected there. */
      at: { line: number; expectedSeq: number };
    };

/** Options for {@link verifyAuditChain}. */
export interface VerifyChainOptions {
  /** The chain's HMAC key. */
  key: SecretInput;
  /** Only lines of this chain are expected. Default: the chain of the first line. */
  chain?: string;
  /**
   * The head recorded elsewhere (e.g. published hourly to another system): a trail that ends
   * before it lost its tail. Without it, deleting the last entries cannot be detected.
   */
  expectHead?: ChainHead;
}

/**
 * Verifies a trail, line by line, in order: every MAC, every link to the previous entry, and
 * that `seq` runs 1, 2, 3… without a gap. Stops at the first break and says where and what.
 * `source` is lines of text (e.g. `JsonlSink.readLines(dir)` or `PostgresSink.readLines(chain)`).
 *
 * @example
 * ```ts
 * import { JsonlSink, verifyAuditChain } from '@portcullis/audit';
 * const result = await verifyAuditChain(JsonlSink.readLines('/var/log/myservice/audit'), {
 *   key: process.env.AUDIT_KEY ?? 'an-audit-key-of-at-least-32-bytes!!',
 * });
 * if (!result.ok) console.error(`audit trail broken at line ${result.at.line}: ${result.problem}`);
 * ```
 */
export async function verifyAuditChain(
  source: AsyncIterable<string> | Iterable<string>,
  options: VerifyChainOptions,
): Promise<ChainVerification> {
  const key = macKey(options.key);
  let chain = options.chain;
  let prev: ChainHead = { seq: 0, mac: GENESIS };
  let line = 0;
  const fail = (problem: ChainProblem): ChainVerification => ({
    ok: false,
    entries: prev.seq,
    problem,
    at: { line, expectedSeq: prev.seq + 1 },
  });
  const lines = (
    Symbol.asyncIterator in source ? source : toAsync(source)
  ) as AsyncIterable<string>;
  const iterator = lines[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) break;
    const text = next.value;
    line++;
    if (text.length === 0) continue;
    const entry = readEntry(text);
    if (entry === undefined) return fail('malformed');
    const mac = createHmac('sha256', key).update(entry.body).digest('hex');
    if (!timingSafeEqual(mac, entry.mac))
      return fail(entry.seq === prev.seq + 1 || entry.seq === undefined ? 'edited' : 'inserted');
    chain ??= entry.chain;
    if (entry.chain !== chain || entry.seq === undefined) return fail('inserted');
    // A valid entry seen again (its seq is behind us) was inserted; one from further on means
    // the expected one is missing — or comes later, out of order.
    if (entry.seq <= prev.seq) return fail('inserted');
    if (entry.seq > prev.seq + 1)
      return fail((await laterHas(iterator, prev.seq + 1)) ? 'reordered' : 'deleted');
    if (entry.prev !== prev.mac) return fail('inserted');
    prev = { seq: entry.seq, mac: entry.mac };
  }
  if (options.expectHead !== undefined) {
    if (prev.seq < options.expectHead.seq) {
      line++;
      return fail('deleted');
    }
    if (prev.seq === options.expectHead.seq && prev.mac !== options.expectHead.mac)
      return fail('edited');
  }
  return { ok: true, entries: prev.seq, head: prev.seq === 0 ? undefined : prev };
}

async function* toAsync(source: Iterable<string>): AsyncIterable<string> {
  yield* source;
}

function readEntry(
  text: string,
):
  | { body: string; mac: string; chain: string; seq: number | undefined; prev: unknown }
  | undefined {
  const split = splitLine(text);
  if (split === undefined) return undefined;
  try {
    const parsed = JSON.parse(split.body) as {
      chain?: unknown;
      seq?: unknown;
      prev?: unknown;
    } | null;
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const seq = Number.isSafeInteger(parsed.seq) ? (parsed.seq as number) : undefined;
    return { ...split, chain: String(parsed.chain), seq, prev: parsed.prev };
  } catch {
    return undefined;
  }
}

/** Whether a line further on holds `seq` (read to the end: the chain is broken anyway). */
async function laterHas(iterator: AsyncIterator<string>, seq: number): Promise<boolean> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) return false;
    const entry = readEntry(next.value);
    if (entry?.seq === seq) return true;
  }
}
