// A webhook receiver as a Fetch-API handler: `export default { fetch }` is the shape Cloudflare
// Workers, Deno (`Deno.serve(handler.fetch)`) and Bun (`export default handler`) take.
// It imports only `@portcullis/webhooks/verify` (no third-party code, no Node built-ins) and
// verifies with Web Crypto, so it runs wherever `Request`, `Response` and `crypto.subtle` exist.
// Copy this file. `node.ts` next to it is only for running it locally on Node.
import type { Store } from '@portcullis/core';
import {
  createVerifier,
  isWebhookError,
  type LabelledSecret,
  readRequest,
  type VerifiedWebhook,
} from '@portcullis/webhooks/verify';

/** A Fetch-API handler. */
export interface FetchHandler {
  fetch(request: Request): Promise<Response>;
}

/** What {@link createHandler} needs. */
export interface EdgeHandlerOptions {
  /** Standard Webhooks secrets (`whsec_…`), current first; two during a rotation. */
  secrets: LabelledSecret[];
  /**
   * Replay store. Default: memory, which catches replays within one isolate only. Edge runtimes
   * run many isolates: give a shared `Store` (Redis, your KV/Durable Object adapter) for a fleet.
   */
  store?: Store;
  /** Largest body read, in bytes; the rest is never read (413). Default: 256 KiB. */
  maxBodyBytes?: number;
  /** Your code, run for verified deliveries only. Default: does nothing. */
  onEvent?: (event: unknown, verified: VerifiedWebhook) => void | Promise<void>;
}

/** Builds the handler once (per isolate): the verifier caches its keys between requests. */
export function createHandler(options: EdgeHandlerOptions): FetchHandler {
  const verifier = createVerifier({
    secrets: options.secrets,
    crypto: 'webcrypto', // no node:crypto, even where it exists
    ...(options.store ? { store: options.store } : {}),
  });
  const maxBodyBytes = options.maxBodyBytes ?? 256 * 1024;
  return {
    async fetch(request) {
      if (request.method !== 'POST')
        return new Response(null, { status: 405, headers: { allow: 'POST' } });
      try {
        // The raw bytes, bounded: a body larger than maxBodyBytes is refused with 413 unread.
        const input = await readRequest(request, { maxBodyBytes });
        // Headers, timestamp, signature (any live secret), then the replay store. Throws if not genuine.
        const verified = await verifier.verify(input);
        // Only now is the body trusted enough to parse.
        const event: unknown = JSON.parse(new TextDecoder().decode(input.body));
        await options.onEvent?.(event, verified);
        return new Response(null, { status: 204 });
      } catch (error) {
        // A refusal: its status (401 forged, 409 replay, 400 bad headers or stale, 413 too big) and
        // `{ name, code, message, status }`, which never holds a secret, a signature or a stack.
        if (isWebhookError(error))
          return Response.json(error.toJSON(), { status: error.status ?? 400 });
        if (error instanceof SyntaxError) {
          return Response.json(
            { code: 'ERR_BODY_NOT_JSON', message: 'The body is not JSON.' },
            { status: 400 },
          );
        }
        // Anything else (the replay store down: StoreError, 503) is not the sender's fault to see.
        const status = (error as { status?: unknown }).status === 503 ? 503 : 500;
        return Response.json({ code: 'ERR_INTERNAL', message: 'Try again later.' }, { status });
      }
    },
  };
}

/** The runtime's configuration: Workers pass bindings to `fetch`; Deno, Bun and Node have `process.env`. */
interface Env {
  WEBHOOK_SECRET?: string;
  WEBHOOK_SECRET_PREVIOUS?: string;
}

let handler: FetchHandler | undefined;

/** The entry point the runtime calls. Reads the secrets on the first request. */
export default {
  fetch(request: Request, bindings?: Env): Promise<Response> {
    if (!handler) {
      // Workers: `bindings` holds the secrets. Bun passes its server and Deno its connection info
      // there instead, so those read `process.env` (both have it).
      const env =
        typeof bindings?.WEBHOOK_SECRET === 'string'
          ? bindings
          : ((globalThis as { process?: { env: Env } }).process?.env ?? {});
      if (!env.WEBHOOK_SECRET) {
        return Promise.resolve(
          Response.json(
            { code: 'ERR_NOT_CONFIGURED', message: 'WEBHOOK_SECRET is not set.' },
            { status: 500 },
          ),
        );
      }
      const secrets: LabelledSecret[] = [{ label: 'current', secret: env.WEBHOOK_SECRET }];
      if (env.WEBHOOK_SECRET_PREVIOUS)
        secrets.push({ label: 'previous', secret: env.WEBHOOK_SECRET_PREVIOUS });
      handler = createHandler({ secrets });
    }
    return handler.fetch(request);
  },
};
