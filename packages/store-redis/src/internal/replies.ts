import { invalidArgument, StoreError } from '@portcullis/core';

const MAX_TTL_MS = Number.MAX_SAFE_INTEGER;

/** Redis wants whole milliseconds ≥ 1: round up, so an entry never expires before it was asked. */
export function ttlArg(ttlMs: number): string {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument('ttlMs', 'a positive number of milliseconds', 'value');
  }
  return String(Math.min(Math.ceil(ttlMs), MAX_TTL_MS));
}

/** A bulk-string reply as a string (RESP2 or RESP3, string or buffer); null is undefined. */
export function asString(reply: unknown): string | undefined {
  if (reply === null || reply === undefined) return undefined;
  if (typeof reply === 'string') return reply;
  if (reply instanceof Uint8Array) return Buffer.from(reply).toString('utf8');
  throw new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
}

/** An integer reply (or a decimal string) as a safe integer. */
export function asInteger(reply: unknown): number {
  const n = typeof reply === 'number' ? reply : Number(asString(reply));
  if (!Number.isSafeInteger(n)) {
    throw new StoreError('ERR_STORE_CORRUPT', 'Redis answered with an unexpected reply.');
  }
  return n;
}
