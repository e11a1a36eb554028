import { type Clock, StoreError } from '@portcullis/core';

/**
 * Runs one store operation, bounded: rejects with `ERR_STORE_UNAVAILABLE` when it has not settled
 * after `timeoutMs` on `clock` (a hung store must not hang token callers). The operation is not
 * cancelled (a `Store` cannot be); whatever it settles with later is ignored by this promise.
 */
export function storeCall<T>(
  clock: Clock,
  timeoutMs: number,
  operation: () => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = clock.schedule(timeoutMs, () => {
      reject(
        new StoreError('ERR_STORE_UNAVAILABLE', `The store did not answer within ${timeoutMs} ms.`),
      );
    });
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(operation());
    } catch (error) {
      cancel();
      reject(error);
      return;
    }
    pending.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (error: unknown) => {
        cancel();
        reject(error);
      },
    );
  });
}
