export { AzureKeyVaultKek, type AzureKeyVaultKekOptions } from './kek/AzureKeyVaultKek.ts';
