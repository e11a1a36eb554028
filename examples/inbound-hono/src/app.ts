// A Hono 4 API in front of partners, with every inbound check Portcullis has, on the Fetch API
// helpers of `@portcullis/ratelimit/fetch` (Hono hands over a real `Request`):
//   GET  /api/hello  rate limited per client address (RateLimit headers on every answer, 429 after)
//   POST /webhooks   only from the sender's published networks, rate limited, signature verified
// Every refusal is RFC 9457 problem details with a stable `code`. The same app runs on Node
// (server.ts, with @hono/node-server) or at the edge, given `remoteAddress` for the peer.
import { createRateLimiter, type RateLimiter } from '@portcullis/ratelimit';
import { problemResponse, rateLimitRequest } from '@portcullis/ratelimit/fetch';
import { createSourceFilter } from '@portcullis/ratelimit/source';
import { createVerifier, readRequest, type SecretsOption } from '@portcullis/webhooks';
import { type Context, Hono } from 'hono';

/** What {@link createApp} needs. */
export interface InboundOptions {
  /** Standard Webhooks secrets of the sender, current first (two during a rotation). */
  webhookSecrets: SecretsOption;
  /** Networks the sender delivers webhooks from (CIDR), e.g. the ranges it publishes. */
  webhookSources: readonly string[];
  /** Proxies of yours in front of the app that append to X-Forwarded-For. Default: 0. */
  trustedProxyHops?: number;
  /** Default: 5 requests per 10 s per client address and route (memory; pass a Redis one for a fleet). */
  limiter?: RateLimiter;
  /** Your handler for verified webhooks. Default: does nothing. */
  onEvent?: (event: unknown) => void | Promise<void>;
  /**
   * The TCP peer of a request: on Node, `getConnInfo(c).remote.address` from
   * `@hono/node-server/conninfo` (see server.ts); on an edge runtime, its own connection info.
   */
  remoteAddress: (c: Context) => string | undefined;
}

type Env = { Variables: { clientAddress: string } };

/** Builds the app: serve `app.fetch` (see server.ts). */
export function createApp(options: InboundOptions): Hono<Env> {
  const limiter = options.limiter ?? createRateLimiter({ limit: 5, windowMs: 10_000 });
  const sources = createSourceFilter({
    trustedProxyHops: options.trustedProxyHops ?? 0,
    byKey: { webhooks: { allow: options.webhookSources } },
  });
  const verifier = createVerifier({ secrets: options.webhookSecrets });
  const onEvent = options.onEvent ?? (() => {});

  const app = new Hono<Env>();
  // Before any body is read: source check, then the rate limit (its headers go on every answer).
  app.use('*', async (c, next) => {
    const route = c.req.path.startsWith('/webhooks') ? 'webhooks' : 'api';
    const address = sources.check(
      { remoteAddress: options.remoteAddress(c), headers: c.req.raw.headers },
      route === 'webhooks' ? 'webhooks' : undefined,
    );
    const { decision, refusal } = await rateLimitRequest(c.req.raw, {
      limiter,
      key: () => `${route}:${address}`,
    });
    if (refusal) return refusal;
    c.set('clientAddress', address);
    await next();
    for (const [name, value] of Object.entries(decision.headers)) c.res.headers.set(name, value);
  });

  app.get('/api/hello', (c) => c.json({ hello: c.get('clientAddress') }));

  app.post('/webhooks', async (c) => {
    // The raw bytes, size-capped, as the signature covers them.
    const received = await readRequest(c.req.raw, { maxBodyBytes: 256 * 1024 });
    await verifier.verify(received);
    await onEvent(JSON.parse(new TextDecoder().decode(received.body)));
    return c.body(null, 204);
  });

  // Every failure becomes problem details with the error's status and stable code; anything
  // that is not a Portcullis error is a bare 500, logged here, never described to the caller.
  app.onError((error) => {
    const response = problemResponse(error);
    if (response.status === 500) console.error(error);
    return response;
  });
  return app;
}
