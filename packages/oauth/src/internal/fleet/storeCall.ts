import { boundedCall, type Clock, StoreError } from '@portcullis/core';

/**
 * Runs one store operation bounded by core's `boundedCall`: rejects with `ERR_STORE_UNAVAILABLE`
 * when it has not settled after `timeoutMs` on `clock` (a hung store must not hang token
 * callers). The operation is not cancelled (a `Store` cannot be); what it settles with later is
 * ignored here (writes that land late are undone by their callers: see obtainShared).
 */
export function storeCall<T>(
  clock: Clock,
  timeoutMs: number,
  operation: () => Promise<T>,
): Promise<T> {
  return boundedCall(() => operation(), {
    clock,
    timeoutMs,
    onTimeout: () =>
      new StoreError('ERR_STORE_UNAVAILABLE', `The store did not answer within ${timeoutMs} ms.`),
  });
}
