export { type ApiKeysOptions, DEFAULTS } from './ApiKeysOptions.ts';
export {
  type ApiKeys,
  createApiKeys,
  type IssuedKey,
  type IssueOptions,
  type VerifiedKey,
} from './createApiKeys.ts';
export {
  ApiKeyError,
  type ApiKeyErrorCode,
  type ApiKeyErrorOptions,
  type ApiKeyRefusal,
  isApiKeyError,
} from './errors/ApiKeyError.ts';
export type { ApiKeyChanges, ApiKeyRecord, KeyRepository } from './repository/KeyRepository.ts';
export { MemoryKeyRepository } from './repository/MemoryKeyRepository.ts';
export {
  PostgresKeyRepository,
  type PostgresKeyRepositoryOptions,
  type Queryable,
} from './repository/PostgresKeyRepository.ts';
