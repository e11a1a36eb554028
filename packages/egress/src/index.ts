export { type AddressClassification, classifyAddress } from './address/classifyAddress.ts';
export {
  EgressError,
  type EgressErrorCode,
  type EgressErrorOptions,
  isEgressError,
} from './errors/EgressError.ts';
export {
  type CheckedTarget,
  createSecureFetch,
  type SecureFetch,
} from './fetch/createSecureFetch.ts';
export { DEFAULTS } from './options/resolveSecureFetchOptions.ts';
export type {
  BearerToken,
  EgressAuditEvent,
  ResilienceContext,
  ResiliencePolicy,
  ResolvedAddress,
  Resolver,
  SecureFetchOptions,
  TlsOptions,
  TokenSource,
} from './options/SecureFetchOptions.ts';
