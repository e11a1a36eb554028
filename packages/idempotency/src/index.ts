export { createIdempotency, type Idempotency, type KeyState } from './createIdempotency.ts';
export {
  IdempotencyError,
  type IdempotencyErrorCode,
  type IdempotencyErrorOptions,
  isIdempotencyError,
} from './errors/IdempotencyError.ts';
export { DEFAULTS, type IdempotencyOptions } from './IdempotencyOptions.ts';
