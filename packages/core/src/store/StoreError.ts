import { PortcullisError, type PortcullisErrorOptions } from '../errors/PortcullisError.ts';

/** The codes a {@link StoreError} carries. */
export type StoreErrorCode = 'ERR_STORE_UNAVAILABLE' | 'ERR_STORE_FULL' | 'ERR_STORE_CORRUPT';

/**
 * A store operation failed: the backend cannot be reached or timed out (`ERR_STORE_UNAVAILABLE`),
 * a bounded store is full and set to refuse (`ERR_STORE_FULL`), or a value is not what the
 * operation expects, such as a counter that is not an integer (`ERR_STORE_CORRUPT`).
 * Suggested status 503: the caller may retry later.
 */
export class StoreError extends PortcullisError {
  declare readonly code: StoreErrorCode;
  override name = 'StoreError';

  constructor(code: StoreErrorCode, message: string, options: PortcullisErrorOptions = {}) {
    super(code, message, { status: 503, ...options });
  }
}
