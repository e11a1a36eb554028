export { AwsSecretsManagerProvider } from './AwsSecretsManagerProvider.ts';
export { type AwsErrorContext, awsErrorToSecretsError } from './awsErrorToSecretsError.ts';
export { awsClientRequestToken } from './clientRequestToken.ts';
export {
  type AwsBackoffOptions,
  type AwsSecretsManagerProviderOptions,
  DEFAULTS,
} from './options.ts';
export { type AwsStageLabel, fromAwsStages, toAwsStage } from './stages.ts';
