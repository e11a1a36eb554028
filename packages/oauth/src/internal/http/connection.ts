import * as client from 'openid-client';
import { OAuthError } from '../../errors/OAuthError.ts';
import type { TokenResponse } from '../token/held.ts';
import { signalAwareFetch } from './callerSignal.ts';

/** What the connection to one authorization server needs. */
export interface ConnectionOptions {
  issuer: string | URL | undefined;
  tokenEndpoint: URL | undefined;
  discovery: 'oidc' | 'oauth2';
  clientId: string;
  metadata: Partial<client.ClientMetadata>;
  auth: client.ClientAuth;
  timeoutMs: number;
  fetch: typeof fetch | undefined;
  insecure: boolean;
  dpop: CryptoKeyPair | true | undefined;
}

/** Lazily resolved openid-client configuration and DPoP handle; failures are not kept. */
export interface Connection {
  configuration(): Promise<client.Configuration>;
  /** The DPoP key pair (made once when `dpop: true`), or undefined without DPoP. */
  dpopKeys(): Promise<CryptoKeyPair> | undefined;
  dpopHandle(): Promise<client.DPoPHandle> | undefined;
}

function retryable<T>(make: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    if (pending === undefined) {
      const attempt = make();
      pending = attempt;
      // A failure is not kept: the next call tries again.
      attempt.catch(() => {
        if (pending === attempt) pending = undefined;
      });
    }
    return pending;
  };
}

export function connect(o: ConnectionOptions): Connection {
  const timeoutSec = Math.ceil(o.timeoutMs / 1000);
  // The caller's AbortSignal reaches requests openid-client makes for the fetch wrapper (DPoP).
  const configFetch = signalAwareFetch(() => o.fetch ?? globalThis.fetch);
  const finish = (config: client.Configuration): client.Configuration => {
    config[client.customFetch] = configFetch as client.CustomFetch;
    config.timeout = timeoutSec;
    return config;
  };

  const configuration = retryable(async () => {
    if (o.tokenEndpoint !== undefined) {
      // Without an issuer, the token endpoint stands in (it is also the private_key_jwt audience).
      const server = {
        issuer: o.issuer === undefined ? o.tokenEndpoint.href : String(o.issuer),
        token_endpoint: o.tokenEndpoint.href,
      };
      const config = new client.Configuration(server, o.clientId, o.metadata, o.auth);
      if (o.insecure) client.allowInsecureRequests(config);
      return finish(config);
    }
    const options: client.DiscoveryRequestOptions = { algorithm: o.discovery, timeout: timeoutSec };
    if (o.insecure) options.execute = [client.allowInsecureRequests];
    if (o.fetch !== undefined) options[client.customFetch] = o.fetch as client.CustomFetch;
    try {
      const issuer = new URL(o.issuer as string | URL);
      return finish(await client.discovery(issuer, o.clientId, o.metadata, o.auth, options));
    } catch (cause) {
      throw new OAuthError(
        'ERR_OAUTH_DISCOVERY_FAILED',
        'The authorization server metadata could not be discovered.',
        { cause },
      );
    }
  });

  const { dpop } = o;
  const keys =
    dpop === undefined
      ? undefined
      : retryable(() =>
          dpop === true ? client.randomDPoPKeyPair('ES256') : Promise.resolve(dpop),
        );
  const handle =
    keys === undefined
      ? undefined
      : retryable(async () => client.getDPoPHandle(await configuration(), await keys()));

  return { configuration, dpopKeys: () => keys?.(), dpopHandle: () => handle?.() };
}

/** One client-credentials grant through openid-client (with a DPoP proof when configured). */
export async function requestClientCredentials(
  connection: Connection,
  params: URLSearchParams,
): Promise<TokenResponse> {
  const config = await connection.configuration();
  const handle = connection.dpopHandle();
  const dpop = handle === undefined ? undefined : { DPoP: await handle };
  return (await client.clientCredentialsGrant(config, params, dpop)) as TokenResponse;
}
