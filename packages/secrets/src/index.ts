export {
  isSecretsError,
  SecretsError,
  type SecretsErrorCode,
  type SecretsErrorOptions,
} from './errors/SecretsError.ts';
export type {
  ProviderCallOptions,
  SecretProvider,
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
  WritableSecretProvider,
} from './SecretProvider.ts';
