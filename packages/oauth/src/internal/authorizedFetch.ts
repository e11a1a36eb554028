import * as client from 'openid-client';
import type { AccessToken } from '../token/AccessToken.ts';
import type { GetTokenOptions } from '../token/TokenProviderOptions.ts';

/** What the fetch wrapper needs from a token source. */
export interface TokenSourceLike {
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  invalidate(token?: AccessToken | string): Promise<void>;
}

/** How a request is sent with a token: plain `fetch` for Bearer, openid-client for DPoP proofs. */
export interface Sender {
  fetch: typeof fetch;
  /** Sends `request` with a DPoP-bound token and a fresh proof (openid-client retries `use_dpop_nonce`). */
  dpop?: (token: string, request: Request) => Promise<Response>;
}

async function send(sender: Sender, token: AccessToken, request: Request): Promise<Response> {
  if (token.type === 'DPoP' && sender.dpop !== undefined) {
    return sender.dpop(token.value.reveal(), request);
  }
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token.value.reveal()}`);
  return sender.fetch(new Request(request, { headers }));
}

/**
 * A `fetch` that adds the token, and on a `401` invalidates that token once, gets another and
 * retries once. A second `401` is returned to the caller as is: never a loop.
 */
export function authorizedFetch(source: TokenSourceLike, sender: Sender): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const token = await source.getToken();
    const first = await send(sender, token, request.clone());
    if (first.status !== 401) return first;
    await first.body?.cancel().catch(() => {});
    // Invalidate only the token that was refused: concurrent 401s for one token cause one refresh.
    await source.invalidate(token);
    const next = await source.getToken();
    return send(sender, next, request);
  };
}

/** The DPoP sender through openid-client's protected-resource request. */
export function dpopSender(
  config: () => Promise<client.Configuration>,
  handle: () => Promise<client.DPoPHandle>,
): (token: string, request: Request) => Promise<Response> {
  return async (token, request) => {
    const body = request.body === null ? null : await request.arrayBuffer();
    const headers = new Headers(request.headers);
    headers.delete('authorization');
    try {
      return await client.fetchProtectedResource(
        await config(),
        token,
        new URL(request.url),
        request.method,
        body,
        headers,
        { DPoP: await handle() },
      );
    } catch (error) {
      // A 401 with a challenge (other than use_dpop_nonce, already retried) is still a response.
      if (error instanceof client.WWWAuthenticateChallengeError) return error.response;
      throw error;
    }
  };
}
