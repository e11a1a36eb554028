export { timingSafeEqual } from './crypto/timingSafeEqual.ts';
export { type InvalidArgumentError, invalidArgument } from './errors/invalidArgument.ts';
export {
  isPortcullisError,
  PortcullisError,
  type PortcullisErrorJSON,
  type PortcullisErrorOptions,
} from './errors/PortcullisError.ts';
export { type SafeCause, type SafeCauseFields, safeCause } from './errors/safeCause.ts';
export {
  type OptionRules,
  type Rule,
  refuseUnknownKeys,
  resolveOptions,
} from './options/resolveOptions.ts';
export { type NumberBounds, rules } from './options/rules.ts';
export { isRedacted, Redacted, redacted, reveal } from './secret/Redacted.ts';
export type { SecretInput, SecretSource } from './secret/SecretInput.ts';
export { MemoryStore, type MemoryStoreOptions } from './store/MemoryStore.ts';
export type { Counter, Store } from './store/Store.ts';
export { StoreError, type StoreErrorCode } from './store/StoreError.ts';
export {
  noopTelemetry,
  type OpenTelemetryApi,
  setOpenTelemetryApi,
  type Telemetry,
  type TelemetryAttributes,
  telemetry,
} from './telemetry/telemetry.ts';
export { type BackoffOptions, exponentialBackoffMs, type Jitter } from './time/backoff.ts';
export { type BoundedCallOptions, boundedCall } from './time/boundedCall.ts';
export { type Cancel, type Clock, ManualClock, systemClock } from './time/Clock.ts';
export { parseRetryAfter } from './time/retryAfter.ts';
