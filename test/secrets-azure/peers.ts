import { ClientSecretCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import {
  AzureKeyVaultProvider,
  type AzureKeyVaultProviderOptions,
} from '@portcullis/secrets-azure';
import { AAD, type AadPeer, startAad } from '../harness/aad.ts';
import { type KeyVaultPeer, startKeyVault } from '../harness/keyVault.ts';
import { makeTestPki, type TestPki } from '../harness/tls.ts';

export interface AzurePeers {
  pki: TestPki;
  aad: AadPeer;
  vault: KeyVaultPeer;
  credential: ClientSecretCredential;
  /** The real SDK client, trusting the test CA, with the SDK's own retries off. */
  client: SecretClient;
  stop(): Promise<void>;
}

export async function startAzurePeers(): Promise<AzurePeers> {
  const pki = await makeTestPki();
  const aad = await startAad(pki);
  const vault = await startKeyVault(pki, aad);
  const tlsOptions = { ca: pki.ca };
  // A real @azure/identity credential: MSAL against the loopback token endpoint.
  const credential = new ClientSecretCredential(AAD.tenantId, AAD.clientId, AAD.clientSecret, {
    authorityHost: aad.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions,
  });
  const client = new SecretClient(vault.vaultUrl, credential, {
    tlsOptions,
    retryOptions: { maxRetries: 0 },
    // The challenge names resource https://vault.azure.net as the service does; a loopback vault
    // at 127.0.0.1 cannot be a subdomain of it, so the SDK's domain check must be off here. The
    // SDK still checks that the challenge came from the request's own origin.
    disableChallengeResourceVerification: true,
  });
  return {
    pki,
    aad,
    vault,
    credential,
    client,
    async stop() {
      await vault.stop();
      await aad.stop();
    },
  };
}

export function provider(
  peers: AzurePeers,
  options: Omit<AzureKeyVaultProviderOptions, 'client'> = {},
): AzureKeyVaultProvider {
  return new AzureKeyVaultProvider({ client: peers.client, ...options });
}

let counter = 0;
export function uniqueName(label: string): string {
  counter++;
  return `${label}-${process.pid}-${counter}`;
}
