export { createSecretsCache } from './cache/createSecretsCache.ts';
export type {
  ActiveSecret,
  ActiveSecretsResolver,
  CachedSecret,
  JsonSchema,
  SecretChange,
  SecretReadOptions,
  SecretsCache,
  SecretsCacheOptions,
} from './cache/SecretsCache.ts';
export {
  isSecretsError,
  SecretsError,
  type SecretsErrorCode,
  type SecretsErrorOptions,
} from './errors/SecretsError.ts';
export { DEFAULTS } from './internal/options.ts';
export { EnvProvider, type EnvProviderOptions, envVariableName } from './providers/EnvProvider.ts';
export { FileProvider, type FileProviderOptions } from './providers/FileProvider.ts';
export { MemoryProvider, type MemoryProviderOptions } from './providers/MemoryProvider.ts';
export { createRotator } from './rotation/createRotator.ts';
export type {
  GeneratedSecret,
  RotationCandidate,
  RotationResult,
  Rotator,
  RotatorOptions,
} from './rotation/Rotator.ts';
export type {
  ProviderCallOptions,
  SecretProvider,
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
  WritableSecretProvider,
} from './SecretProvider.ts';
