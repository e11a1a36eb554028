// A Fastify 5 API in front of partners, with every inbound check Portcullis has:
//   GET  /api/hello   rate limited per client address (RateLimit headers on every answer, 429 after)
//   POST /webhooks    only from the sender's published networks, rate limited, signature verified
//   POST /api/orders  (with `orders`) API key + scope, per-key quota, zod body through a boundary,
//                     an audit entry for every answer: see orders.ts
// Every refusal is RFC 9457 problem details with a stable `code`. Copy this file (and orders.ts):
// it is the app; `server.ts` only reads the environment and listens.
import { isBoundaryError, toProblemDetails } from '@portcullis/boundary';
import { createRateLimiter, type RateLimiter } from '@portcullis/ratelimit';
import { problemDetails } from '@portcullis/ratelimit/fetch';
import { createSourceFilter, type RequestSource } from '@portcullis/ratelimit/source';
import { createVerifier, type SecretsOption } from '@portcullis/webhooks';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { type OrdersOptions, registerOrders } from './orders.ts';

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
  /** The partner API (`POST /api/orders`): API keys, the audit log, a per-key limiter (default 20/min). */
  orders?: Omit<OrdersOptions, 'keyLimiter'> & { keyLimiter?: RateLimiter };
}

/** Builds the app (not listening yet: `await app.listen({ port, host })`, see server.ts). */
export function createApp(options: InboundOptions): FastifyInstance {
  const limiter = options.limiter ?? createRateLimiter({ limit: 5, windowMs: 10_000 });
  const sources = createSourceFilter({
    trustedProxyHops: options.trustedProxyHops ?? 0,
    byKey: { webhooks: { allow: options.webhookSources } },
  });
  const verifier = createVerifier({ secrets: options.webhookSecrets });
  const onEvent = options.onEvent ?? (() => {});
  // The socket's peer and the raw headers: never Fastify's `trustProxy`-based `request.ip`.
  const sourceOf = (request: FastifyRequest): RequestSource => ({
    remoteAddress: request.raw.socket.remoteAddress,
    headers: request.headers,
  });

  const app = Fastify({ bodyLimit: 256 * 1024 });
  // Webhook bodies stay raw bytes, whatever Content-Type the sender claims.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  // Runs before the body is read: a request from elsewhere or over the limit costs no upload.
  app.addHook('onRequest', async (request, reply) => {
    const route = request.url.startsWith('/webhooks') ? 'webhooks' : undefined;
    const address = sources.check(sourceOf(request), route);
    const decision = await limiter.enforce(`${route ?? 'api'}:${address}`);
    reply.headers(decision.headers);
    (request as FastifyRequest & { clientAddress?: string }).clientAddress = address;
  });

  app.get('/api/hello', async (request) => ({
    hello: (request as FastifyRequest & { clientAddress?: string }).clientAddress,
  }));

  app.post('/webhooks', async (request, reply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    await verifier.verify({ headers: request.headers, body });
    await onEvent(JSON.parse(body.toString('utf8')));
    return reply.code(204).send();
  });

  if (options.orders) {
    const { keyLimiter = createRateLimiter({ limit: 20, windowMs: 60_000 }), ...rest } =
      options.orders;
    registerOrders(app, { ...rest, keyLimiter });
  }

  // Every failure becomes problem details: Portcullis errors with their status and stable code
  // (403 source, 429 with Retry-After, 401 forged webhook…); Fastify's own 4xx (413 body too
  // large…) keep their status; anything else is a bare 500, logged here, never described.
  app.setErrorHandler((error, _request, reply) => {
    const { status, headers, body } = problemDetails(error);
    const own = (error as { statusCode?: unknown }).statusCode;
    if (status === 500 && typeof own === 'number' && own >= 400 && own < 500) {
      return reply.code(own).type('application/problem+json').send({
        type: 'about:blank',
        title: 'Bad Request',
        status: own,
        detail: 'The request was refused.',
        code: 'ERR_BAD_REQUEST',
      });
    }
    if (isBoundaryError(error)) {
      // The boundary's own problem details: which field and what was expected, never the value.
      const problem = toProblemDetails(error);
      return reply
        .code(problem.status)
        .type('application/problem+json')
        .send(JSON.stringify(problem));
    }
    if (status === 500) console.error(error);
    return reply.code(status).headers(headers).send(JSON.stringify(body));
  });
  return app;
}
