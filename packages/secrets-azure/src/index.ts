export { AzureKeyVaultProvider, BINARY_CONTENT_TYPE } from './AzureKeyVaultProvider.ts';
export { type AzureErrorContext, azureErrorToSecretsError } from './azureErrorToSecretsError.ts';
export {
  type AzureBackoffOptions,
  type AzureKeyVaultProviderOptions,
  DEFAULTS,
} from './options.ts';
export { formatStageTag, parseStageTag } from './stageTag.ts';
