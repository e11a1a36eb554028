import * as client from 'openid-client';
import type { AccessToken } from '../../token/AccessToken.ts';
import type { GetTokenOptions } from '../../token/TokenProviderOptions.ts';
import { abortable, withCallerSignal } from './callerSignal.ts';

/** What the fetch wrapper needs from a token source. */
export interface TokenSourceLike {
  getToken(options?: GetTokenOptions): Promise<AccessToken>;
  /**
   * The resource server answered 401 to `token`: the token to retry with, or undefined when the
   * 401 is the caller's answer (declined, or no new token could be had). Never rejects.
   */
  replaceRefused(token: AccessToken): Promise<AccessToken | undefined>;
}

/** A request taken apart once, so it can be sent (and replayed once) by any `fetch`. */
export interface PreparedRequest {
  url: string;
  method: string;
  headers: Headers;
  /** The body bytes, read once (a retry after a 401 replays them), or null. */
  body: ArrayBuffer | null;
  redirect: RequestRedirect;
  signal: AbortSignal | undefined;
}

/** How a request is sent with a token: plain `fetch` for Bearer, openid-client for DPoP proofs. */
export interface Sender {
  fetch: typeof fetch;
  /** Sends `request` with a DPoP-bound token and a fresh proof (openid-client retries `use_dpop_nonce`). */
  dpop?: (token: string, request: PreparedRequest) => Promise<Response>;
}

async function prepare(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): Promise<PreparedRequest> {
  const request = new Request(input, init);
  return {
    url: request.url,
    method: request.method,
    headers: new Headers(request.headers),
    body: request.body === null ? null : await request.arrayBuffer(),
    redirect: request.redirect,
    // The caller's own signal, passed on as is.
    signal: init?.signal ?? (input instanceof Request ? input.signal : undefined),
  };
}

async function send(
  sender: Sender,
  token: AccessToken,
  request: PreparedRequest,
): Promise<Response> {
  // With DPoP configured every token is DPoP-bound (others are refused): always with a proof.
  if (sender.dpop !== undefined) {
    return sender.dpop(token.value.reveal(), request);
  }
  const headers = new Headers(request.headers);
  headers.set('authorization', `Bearer ${token.value.reveal()}`);
  // A URL string and a plain init, never a `Request`: another `fetch` (the `undici` package, as
  // used for a client certificate) does not recognise this realm's `Request` objects.
  const init: RequestInit = {
    method: request.method,
    headers: [...headers],
    body: request.body,
    redirect: request.redirect,
  };
  if (request.signal !== undefined) init.signal = request.signal;
  return sender.fetch(request.url, init);
}

/**
 * A `fetch` that adds the token, and on a `401` from the URL the token was sent to replaces that
 * token once and retries once. A second `401` is returned to the caller as is: never a loop. A
 * `401` after a redirect (the token may never have reached that server: `fetch` drops
 * `Authorization` on a cross-origin redirect) and a `401` the source declines to act on (see
 * {@link TokenSourceLike.unauthorized}: at most one replacement per `minRefreshIntervalMs`) are
 * returned as is. The request body is read once so the retry can replay it.
 */
export function authorizedFetch(source: TokenSourceLike, sender: Sender): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = await prepare(input, init);
    const { signal } = request;
    signal?.throwIfAborted();
    // The token is shared (one request for every caller): an abort stops this caller's wait only.
    const token = await abortable(source.getToken(), signal);
    const first = await send(sender, token, request);
    if (first.status !== 401 || first.redirected) return first;
    // Only the token that was refused is replaced: concurrent 401s for one token cause one refresh.
    // When no new token can be had (the authorization server is down), the 401 is the answer.
    const next = await abortable(source.replaceRefused(token), signal);
    if (next === undefined) return first;
    await first.body?.cancel().catch(() => {});
    return send(sender, next, request);
  };
}

/** The DPoP sender through openid-client's protected-resource request. */
export function dpopSender(
  config: () => Promise<client.Configuration>,
  handle: () => Promise<client.DPoPHandle>,
): (token: string, request: PreparedRequest) => Promise<Response> {
  return async (token, request) => {
    const headers = new Headers(request.headers);
    headers.delete('authorization');
    const { signal } = request;
    signal?.throwIfAborted();
    const exchange = async (): Promise<Response> => {
      try {
        return await client.fetchProtectedResource(
          await config(),
          token,
          new URL(request.url),
          request.method,
          request.body,
          headers,
          { DPoP: await handle() },
        );
      } catch (error) {
        // A 401 with a challenge (other than use_dpop_nonce, already retried) is still a response.
        if (error instanceof client.WWWAuthenticateChallengeError) return error.response;
        throw error;
      }
    };
    // openid-client takes no per-call signal: the caller's reaches its fetch through
    // withCallerSignal (the request is cancelled), and the race rejects with the signal's own
    // reason at once, whatever openid-client makes of the aborted fetch.
    return abortable(withCallerSignal(signal, exchange), signal);
  };
}
