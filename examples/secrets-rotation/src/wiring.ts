// The part to copy: each consumer takes its secrets from the cache by passing what the cache
// returns. No glue: no callback written here, no re-reading on rotation, no restart.
import type { Clock, Store } from '@portcullis/core';
import { createTokenProvider, type TokenProvider } from '@portcullis/oauth';
import type { SecretsCache } from '@portcullis/secrets';
import { createSigner, createVerifier, type Signer, type Verifier } from '@portcullis/webhooks';

export const WEBHOOK_SECRET = 'webhook-signing-secret';
export const OAUTH_CLIENT_SECRET = 'oauth-client-secret';

/** Signs outbound webhooks with the active secrets: current, and previous during a rotation. */
export function createWebhookSigner(secrets: SecretsCache, clock?: Clock): Signer {
  return createSigner({
    secrets: secrets.activeSecrets(WEBHOOK_SECRET),
    ...(clock ? { clock } : {}),
  });
}

/** Verifies inbound webhooks against current and previous; `matchedSecret.label` says which. */
export function createWebhookVerifier(
  secrets: SecretsCache,
  store: Store,
  clock?: Clock,
): Verifier {
  return createVerifier({
    secrets: secrets.activeSecrets(WEBHOOK_SECRET),
    store,
    ...(clock ? { clock } : {}),
  });
}

/** A client-credentials token provider whose client secret comes from the cache at each token request. */
export function createApiTokens(
  secrets: SecretsCache,
  issuer: string,
  clientId: string,
  resource: string,
): TokenProvider {
  return createTokenProvider({
    issuer,
    clientId,
    clientAuth: {
      method: 'client_secret_basic',
      secret: secrets.secretSource(OAUTH_CLIENT_SECRET),
    },
    resource,
    allowInsecureHttp: true, // the example's authorization server is on 127.0.0.1 over http
  });
}
