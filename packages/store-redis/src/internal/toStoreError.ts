import { StoreError } from '@portcullis/core';
import { CORRUPT_REPLY } from './scripts.ts';

const REPLY_ERRORS = new Set(['ErrorReply', 'SimpleError', 'BlobError']);

/**
 * Whether `error` is an error reply from the Redis server (rather than a connection failure).
 * Checked by constructor name too, so a second copy of `redis` installed beside ours still counts.
 */
export function isErrorReply(error: unknown): error is Error {
  return error instanceof Error && REPLY_ERRORS.has(error.constructor.name);
}

/**
 * Turns whatever a node-redis call threw into a `StoreError`, keeping the original as `cause`.
 * Messages are fixed text: nothing from the client (which may know the URL), the key or the value
 * reaches them. Of a server error reply only its leading upper-case code (`OOM`, `NOAUTH`) is kept.
 */
export function toStoreError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  if (isErrorReply(error)) {
    // Redis 7 may put `ERR ` before a script's own error code.
    const code = /^(?:ERR )?([A-Z_]{2,32})(?= |$)/.exec(error.message)?.[1];
    if (code === CORRUPT_REPLY || code === 'WRONGTYPE') {
      return new StoreError(
        'ERR_STORE_CORRUPT',
        'The value at the key is not what the operation expects.',
        {
          cause: error,
        },
      );
    }
    return new StoreError(
      'ERR_STORE_UNAVAILABLE',
      `Redis refused the operation${code === undefined ? '' : ` (${code})`}.`,
      { cause: error },
    );
  }
  return new StoreError('ERR_STORE_UNAVAILABLE', 'Redis cannot be reached.', { cause: error });
}
