export { timingSafeEqual } from './crypto/timingSafeEqual.ts';
export { type InvalidArgumentError, invalidArgument } from './errors/invalidArgument.ts';
export {
  isPortcullisError,
  PortcullisError,
  type PortcullisErrorJSON,
  type PortcullisErrorOptions,
} from './errors/PortcullisError.ts';
export { isRedacted, Redacted, redacted, reveal } from './secret/Redacted.ts';
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
export { type Cancel, type Clock, ManualClock, systemClock } from './time/Clock.ts';
