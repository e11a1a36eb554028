import { boundedCall, type Clock } from '@portcullis/core';
import * as oauth from 'oauth4webapi';
import { JwksUnavailable } from './JwksUnavailable.ts';

/**
 * The issuer's `jwks_uri`, from its metadata through oauth4webapi (the discovery openid-client
 * itself uses): OpenID Connect discovery first, then RFC 8414. The metadata's `issuer` must be
 * the configured one exactly. Each request is bounded by `timeoutMs` on `clock`.
 */
export async function discoverJwksUri(
  issuer: string,
  o: { fetch: typeof fetch | undefined; insecure: boolean; timeoutMs: number; clock: Clock },
): Promise<URL> {
  const expected = new URL(issuer);
  let lastError: unknown;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const metadata = await boundedCall(
        async (signal) => {
          const options: oauth.DiscoveryRequestOptions = { algorithm, signal };
          if (o.insecure) options[oauth.allowInsecureRequests] = true;
          if (o.fetch !== undefined)
            options[oauth.customFetch] = o.fetch as unknown as NonNullable<
              oauth.DiscoveryRequestOptions[typeof oauth.customFetch]
            >;
          const response = await oauth.discoveryRequest(expected, options);
          return oauth.processDiscoveryResponse(expected, response);
        },
        {
          clock: o.clock,
          timeoutMs: o.timeoutMs,
          onTimeout: () =>
            new Error(`The issuer metadata did not arrive within ${o.timeoutMs} ms.`),
        },
      );
      if (metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string') continue;
      const jwksUri = new URL(metadata.jwks_uri);
      if (jwksUri.protocol !== 'https:' && !(o.insecure && jwksUri.protocol === 'http:')) continue;
      return jwksUri;
    } catch (error) {
      lastError = error;
    }
  }
  throw new JwksUnavailable(lastError);
}
