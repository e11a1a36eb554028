import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { invalidArgument, reveal, type SecretInput } from '@portcullis/core';

/** The `prev` of a chain's first entry. */
export const GENESIS: string = '0'.repeat(64);
const MAC_PREFIX = ',"mac":"';
const SUFFIX_LENGTH = MAC_PREFIX.length + 64 + 2;
const HEX64 = /^[0-9a-f]{64}$/;

/** The last entry written to a chain: what the next entry's `prev` must be. */
export interface ChainHead {
  /** Sequence number of the last entry (1 for the first). */
  seq: number;
  /** Its MAC, hex. */
  mac: string;
}

export function macKey(secret: SecretInput): KeyObject {
  const value = reveal(secret);
  if (typeof value !== 'string' || Buffer.byteLength(value) < 32) {
    throw invalidArgument('key', 'a secret of at least 32 bytes', 'value');
  }
  return createSecretKey(Buffer.from(value, 'utf8'));
}

/**
 * One line of the trail: the entry's fields after `v`, `chain`, `seq`, `ts`, then `prev` (the
 * previous line's MAC) and last `mac` = HMAC-SHA-256 over the line's bytes before `,"mac"`.
 * Signing the exact bytes means any edit — a value, a field added, whitespace — breaks the MAC.
 */
export function signLine(
  key: KeyObject,
  chain: string,
  seq: number,
  ts: number,
  fields: Record<string, unknown>,
  prev: string,
): ChainHead & { text: string } {
  const body = JSON.stringify({
    v: 1,
    chain,
    seq,
    ts: new Date(ts).toISOString(),
    ...fields,
    prev,
  });
  const mac = createHmac('sha256', key).update(body).digest('hex');
  return { seq, mac, text: `${body.slice(0, -1)},"mac":"${mac}"}` };
}

/** A line split into what was signed and its MAC; `undefined` when it is not a trail line. */
export function splitLine(text: string): { body: string; mac: string } | undefined {
  // Fixed-length suffix `,"mac":"<64 hex>"}`: sliced, not searched.
  const cut = text.length - SUFFIX_LENGTH;
  if (cut < 1 || !text.endsWith('"}') || text.slice(cut, cut + MAC_PREFIX.length) !== MAC_PREFIX)
    return undefined;
  const mac = text.slice(cut + MAC_PREFIX.length, text.length - 2);
  if (!HEX64.test(mac)) return undefined;
  return { body: `${text.slice(0, cut)}}`, mac };
}

/** The head a line carries, without checking its MAC (for a sink resuming its chain). */
export function headOf(text: string): ChainHead | undefined {
  const split = splitLine(text);
  if (split === undefined) return undefined;
  try {
    const parsed = JSON.parse(split.body) as { seq?: unknown };
    return Number.isSafeInteger(parsed.seq)
      ? { seq: parsed.seq as number, mac: split.mac }
      : undefined;
  } catch {
    return undefined;
  }
}
