export type {
  ProviderCallOptions,
  SecretProvider,
  SecretSelector,
  SecretStage,
  SecretVersion,
  SecretVersionInfo,
  WritableSecretProvider,
} from './SecretProvider.ts';
