// One replica of a two-process fleet, started by the fleet scene: a webhook receiver and a
// rate-limited partner API whose replay nonces and rate-limit counters live in one shared Redis.
// An OAuth client of the fleet shares its token through Redis too (one token request per fleet).
// Reads REDIS_URL, WEBHOOK_SECRET and OAUTH_* from its environment; prints {"url": …} once it listens.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redacted } from '@portcullis/core';
import { createTokenProvider } from '@portcullis/oauth';
import { createRateLimiter, RedisRateLimitStore } from '@portcullis/ratelimit';
import { problemDetails } from '@portcullis/ratelimit/fetch';
import { RedisStore } from '@portcullis/store-redis';
import { createVerifier, isWebhookError, readIncomingMessage } from '@portcullis/webhooks';
import { createClient } from 'redis';

const redis = createClient({ url: process.env.REDIS_URL ?? '' });
redis.on('error', () => {}); // a lost connection shows up as a bounded, typed StoreError
await redis.connect();

const store = new RedisStore({ client: redis, keyPrefix: 'demo:' });
const verifier = createVerifier({ secrets: redacted(process.env.WEBHOOK_SECRET ?? ''), store });
const tokens = createTokenProvider({
  issuer: process.env.OAUTH_ISSUER ?? '',
  clientId: process.env.OAUTH_CLIENT_ID ?? '',
  clientAuth: {
    method: 'client_secret_basic',
    secret: redacted(process.env.OAUTH_CLIENT_SECRET ?? ''),
  },
  scope: 'invoices:read',
  resource: process.env.OAUTH_RESOURCE ?? '',
  allowInsecureHttp: true, // the demo's loopback server only
  fleet: { store }, // one token (and one refresh) for every replica
});
const limiter = createRateLimiter({
  name: 'partner',
  limit: 10,
  windowMs: 10_000,
  store: new RedisRateLimitStore({ client: redis }),
});

const server = createServer(async (req, res) => {
  try {
    if (req.url === '/token') {
      const token = await tokens.getToken();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ fingerprint: token.fingerprint }));
    } else if (req.url === '/webhooks') {
      await verifier.verify(await readIncomingMessage(req));
      res.writeHead(204).end();
    } else {
      const decision = await limiter.enforce('partner:acme');
      res.writeHead(200, { ...decision.headers, 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }
  } catch (error) {
    if (isWebhookError(error)) {
      res.writeHead(error.status ?? 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: error.code }));
      return;
    }
    const { status, headers, body } = problemDetails(error);
    res.writeHead(status, headers).end(JSON.stringify(body));
  }
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(
    `${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`,
  );
});
// The parent closes our stdin when it is done (or dies): stop then.
process.stdin.resume();
process.stdin.on('close', () => process.exit(0));
process.stdin.on('end', () => process.exit(0));
