// An Express 5 app that receives webhooks from two senders:
//   POST /webhooks/standard  Standard Webhooks (webhook-id / webhook-timestamp / webhook-signature)
//   POST /webhooks/stripe    Stripe (Stripe-Signature: t=…,v1=…)
// Copy this file: it is the whole receiver. `server.ts` only reads the environment and listens.
import { isPortcullisError, MemoryStore, type Store } from '@portcullis/core';
import {
  createVerifier,
  type MatchedSecret,
  type SecretsOption,
  schemes,
  type Verifier,
} from '@portcullis/webhooks';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';

/** One verified delivery, handed to your code. */
export interface ReceivedEvent {
  /** Which route received it: `'standard'` or `'stripe'`. */
  source: 'standard' | 'stripe';
  /** The message id (Standard Webhooks' signed `webhook-id`; Stripe has none in its headers). */
  id: string | undefined;
  /** Which live secret matched: its index and label (never the secret). */
  matchedSecret: MatchedSecret;
  /** The body, parsed as JSON only after its signature was verified. */
  event: unknown;
}

/** What {@link createApp} needs. */
export interface ReceiverOptions {
  /**
   * Standard Webhooks secrets, current first. During a rotation give two (`current`, `previous`):
   * both verify until you drop the old one.
   */
  standardSecrets: SecretsOption;
  /** Stripe endpoint secrets (`whsec_…` as shown in Stripe's dashboard), current first. */
  stripeSecrets: SecretsOption;
  /**
   * Replay store shared by both routes. One process: a `MemoryStore`. More than one replica: a
   * `RedisStore`, so a replay sent to another replica is refused too. Default: a new `MemoryStore`.
   */
  store?: Store;
  /** Largest body accepted, in bytes; larger ones get 413 before anything is verified. Default: 256 KiB. */
  maxBodyBytes?: number;
  /** Your handler. It runs only for verified deliveries. Default: does nothing. */
  onEvent?: (received: ReceivedEvent) => void | Promise<void>;
}

/** Builds the app. It does not listen: call `app.listen(port)` (see server.ts) or mount it. */
export function createApp(options: ReceiverOptions): Express {
  const store = options.store ?? new MemoryStore();
  const onEvent = options.onEvent ?? (() => {});
  const standard = createVerifier({ secrets: options.standardSecrets, store });
  const stripe = createVerifier({ scheme: schemes.stripe, secrets: options.stripeSecrets, store });

  // The body must reach the verifier as the exact bytes sent: `express.raw` on the webhook routes
  // only (never `express.json()` in front of them: parsing and re-serialising changes the bytes).
  // `type: () => true` reads the body whatever Content-Type the sender claims, and also when it
  // sends none: `type: '*/*'` skips a request without a Content-Type header, which would leave
  // `req.body` empty and turn a genuine delivery into a signature mismatch.
  const raw = express.raw({ type: () => true, limit: options.maxBodyBytes ?? 256 * 1024 });

  const app = express();
  app.disable('x-powered-by');
  app.post('/webhooks/standard', raw, receive('standard', standard, onEvent));
  app.post('/webhooks/stripe', raw, receive('stripe', stripe, onEvent));
  app.use(answerErrors);
  return app;
}

function receive(
  source: ReceivedEvent['source'],
  verifier: Verifier,
  onEvent: (received: ReceivedEvent) => void | Promise<void>,
): RequestHandler {
  // Express 5 passes a rejected promise to the error handler below: no try/catch needed here.
  return async (req, res) => {
    // No body at all leaves `req.body` undefined: verify the empty body (a signature still must match).
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    // Checks headers, timestamp (5 min old / 30 s ahead at most), signature against every live
    // secret, then records the message in the replay store. Throws a WebhookError otherwise.
    const verified = await verifier.verify({ headers: req.headers, body });
    let event: unknown;
    try {
      event = JSON.parse(body.toString('utf8'));
    } catch {
      res.status(400).json({ code: 'ERR_BODY_NOT_JSON', message: 'The body is not JSON.' });
      return;
    }
    await onEvent({ source, id: verified.id, matchedSecret: verified.matchedSecret, event });
    res.sendStatus(204);
  };
}

// Every failure becomes `status` + a small JSON body. Portcullis errors carry a stable `code`, a
// caller-safe `message` and the `status` to answer (401 forged, 409 replayed, 400 bad headers or
// stale timestamp, 503 store down); `toJSON()` never includes the stack, the cause or a secret.
const answerErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  if (isPortcullisError(error) && error.status !== undefined) {
    res.status(error.status).json(error.toJSON());
    return;
  }
  // body-parser's own errors (413 too large, 400 bad encoding) carry `status` and `type`.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    res.status(status).json({ code: 'ERR_BAD_REQUEST', message: 'The request was refused.' });
    return;
  }
  // Anything else is ours: log it on the server (with its stack), answer without details.
  console.error(error);
  res.status(500).json({ code: 'ERR_INTERNAL', message: 'Internal error.' });
};
