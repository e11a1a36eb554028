// A fake authorization server and resource server behind a `fetch` function: unit tests open no
// sockets. openid-client calls it through its `customFetch` hook.
import type { ManualClock } from '@portcullis/core';

export const ISSUER = 'https://as.example.test';
export const TOKEN_ENDPOINT = `${ISSUER}/token`;
export const API = 'https://api.example.test';
export const MTLS_TOKEN_ENDPOINT = 'https://mtls.as.example.test/token';

export interface TokenRequestSeen {
  url: string;
  headers: Headers;
  body: URLSearchParams;
  at: number;
}

export type TokenReply =
  | {
      kind: 'token';
      body?: Record<string, unknown>;
      status?: number;
      headers?: Record<string, string>;
    }
  | { kind: 'error'; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: 'network' }
  /** A body that is not JSON (a gateway's HTML, a proxy's plain text), sent as given. */
  | { kind: 'raw'; status: number; body: string; headers?: Record<string, string> };

export interface FakeServer {
  fetch: typeof fetch;
  tokenRequests: TokenRequestSeen[];
  resourceRequests: { headers: Headers; body: string; url: string }[];
  discoveryRequests: number;
  /** What the next token requests get; the default issues a fresh Bearer token for `expiresIn` s. */
  replies: TokenReply[];
  /** Fallback when `replies` is empty. */
  mode: 'ok' | 'down' | 'invalid_client';
  expiresIn: number | undefined;
  /** Status the resource server answers: a list consumed in order, then 200. */
  resourceStatuses: (number | { status: number; headers: Record<string, string> })[];
  /** Advance the clock by this much while a token request is "in flight". */
  latencyMs: number;
  issued: string[];
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export function fakeServer(clock?: ManualClock): FakeServer {
  const server: FakeServer = {
    tokenRequests: [],
    resourceRequests: [],
    discoveryRequests: 0,
    replies: [],
    mode: 'ok',
    expiresIn: 100,
    resourceStatuses: [],
    latencyMs: 0,
    issued: [],
    fetch: (async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      const url = new URL(request.url);
      if (url.pathname === '/.well-known/openid-configuration') {
        server.discoveryRequests++;
        return json({
          issuer: ISSUER,
          token_endpoint: TOKEN_ENDPOINT,
          jwks_uri: `${ISSUER}/jwks`,
          mtls_endpoint_aliases: { token_endpoint: MTLS_TOKEN_ENDPOINT },
          token_endpoint_auth_methods_supported: [
            'client_secret_basic',
            'client_secret_post',
            'private_key_jwt',
          ],
        });
      }
      if (request.url === TOKEN_ENDPOINT || request.url === MTLS_TOKEN_ENDPOINT) {
        const body = new URLSearchParams(await request.text());
        server.tokenRequests.push({
          url: request.url,
          headers: request.headers,
          body,
          at: clock?.now() ?? Date.now(),
        });
        // Let callers pile up on the single flight before the answer comes.
        await new Promise((r) => setImmediate(r));
        if (server.latencyMs > 0) clock?.advance(server.latencyMs);
        const reply = server.replies.shift();
        if (reply?.kind === 'network' || (reply === undefined && server.mode === 'down')) {
          throw new TypeError('fetch failed');
        }
        if (reply?.kind === 'error') return json(reply.body ?? {}, reply.status, reply.headers);
        if (reply?.kind === 'raw') {
          return new Response(reply.body, { status: reply.status, headers: reply.headers ?? {} });
        }
        if (reply === undefined && server.mode === 'invalid_client') {
          return json({ error: 'invalid_client' }, 401);
        }
        const token = `tok-${server.tokenRequests.length}-${Math.random().toString(36).slice(2)}`;
        server.issued.push(token);
        const tokenBody: Record<string, unknown> = { access_token: token, token_type: 'Bearer' };
        if (server.expiresIn !== undefined) tokenBody.expires_in = server.expiresIn;
        return json({ ...tokenBody, ...reply?.body }, reply?.status ?? 200, reply?.headers);
      }
      if (url.origin === API) {
        server.resourceRequests.push({
          headers: request.headers,
          body: await request.text(),
          url: request.url,
        });
        const next = server.resourceStatuses.shift() ?? 200;
        const { status, headers } = typeof next === 'number' ? { status: next, headers: {} } : next;
        return new Response(status === 200 ? 'ok' : null, { status, headers });
      }
      return new Response('not found', { status: 404 });
    }) as typeof fetch,
  };
  return server;
}

/** Lets pending promise chains (openid-client's async work) run without moving the clock. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
