// An Express 5 API in front of partners, with every inbound check Portcullis has:
//   GET  /api/hello  rate limited per client address (RateLimit headers on every answer, 429 after)
//   POST /webhooks   only from the sender's published networks, rate limited, signature verified
// Every refusal is RFC 9457 problem details with a stable `code`. Copy this file: it is the app;
// `server.ts` only reads the environment and listens.
import { createRateLimiter, type RateLimiter } from '@portcullis/ratelimit';
import { problemDetails } from '@portcullis/ratelimit/fetch';
import { createSourceFilter, type RequestSource } from '@portcullis/ratelimit/source';
import { createVerifier, type SecretsOption } from '@portcullis/webhooks';
import express, { type ErrorRequestHandler, type Express, type Request } from 'express';

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
}

/** Builds the app. It does not listen: call `app.listen(port)` (see server.ts) or mount it. */
export function createApp(options: InboundOptions): Express {
  const limiter = options.limiter ?? createRateLimiter({ limit: 5, windowMs: 10_000 });
  const sources = createSourceFilter({
    trustedProxyHops: options.trustedProxyHops ?? 0,
    byKey: { webhooks: { allow: options.webhookSources } },
  });
  const verifier = createVerifier({ secrets: options.webhookSecrets });
  const onEvent = options.onEvent ?? (() => {});
  // Where the request comes from: the socket, or the hop your proxies recorded. Never req.ip with
  // a blanket `trust proxy`, which would believe whatever the client writes in X-Forwarded-For.
  const sourceOf = (req: Request): RequestSource => ({
    remoteAddress: req.socket.remoteAddress,
    headers: req.headers,
  });

  const app = express();
  app.disable('x-powered-by');

  app.get('/api/hello', async (req, res) => {
    const address = sources.check(sourceOf(req)); // no lists for /api: resolves the address only
    const decision = await limiter.enforce(`api:${address}`); // throws a 429 RateLimitError
    res.set(decision.headers).json({ hello: address });
  });

  // The raw bytes reach the verifier (never express.json() in front of a webhook route).
  const raw = express.raw({ type: () => true, limit: 256 * 1024 });
  app.post('/webhooks', async (req, res, next) => {
    // The source check comes first: a request from elsewhere costs no body read and no HMAC.
    const address = sources.check(sourceOf(req), 'webhooks');
    const decision = await limiter.enforce(`webhooks:${address}`);
    res.set(decision.headers);
    raw(req, res, async (error?: unknown) => {
      if (error) return next(error);
      try {
        const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        await verifier.verify({ headers: req.headers, body });
        await onEvent(JSON.parse(body.toString('utf8')));
        res.sendStatus(204);
      } catch (failure) {
        next(failure);
      }
    });
  });

  app.use(answerErrors);
  return app;
}

// Every failure becomes problem details: Portcullis errors with their status and stable code
// (403 source, 429 rate limit with Retry-After, 401 forged webhook…), anything else a bare 500.
const answerErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  const { status, headers, body } = problemDetails(error);
  if (status === 500) {
    // body-parser's own refusals (413 too large, 400 bad encoding) carry a 4xx `status`.
    const refused = (error as { status?: unknown }).status;
    if (typeof refused === 'number' && refused >= 400 && refused < 500) {
      res
        .status(refused)
        .type('application/problem+json')
        .send(
          JSON.stringify({
            type: 'about:blank',
            title: 'Bad Request',
            status: refused,
            detail: 'The request body was refused.',
            code: 'ERR_BAD_REQUEST',
          }),
        );
      return;
    }
    console.error(error); // ours: log it on the server, tell the caller nothing
  }
  res.status(status).set(headers).send(JSON.stringify(body));
};
