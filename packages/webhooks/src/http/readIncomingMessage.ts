import { invalidArgument } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import { resolveReadOptions } from '../internal/options.ts';
import { publicUrl } from '../internal/publicUrl.ts';
import { joinChunks, type RawRequest, type ReadBodyOptions, tooLarge } from './readRequest.ts';

/** The parts of Node's `http.IncomingMessage` this helper reads (typed structurally). */
export interface IncomingMessageLike extends AsyncIterable<unknown> {
  headers: Record<string, string | string[] | undefined>;
  url?: string | undefined;
  /**
   * The request target as received, set by Express (and Connect-style routers) when a mount
   * rewrites `url` to be relative to it. Used in place of `url` when present.
   */
  originalUrl?: string | undefined;
  readableEnded?: boolean;
  /** Set by body-parsing middleware; a `Buffer` here (express.raw()) is used as is. */
  body?: unknown;
}

/** Options of {@link readIncomingMessage}. */
export interface ReadIncomingMessageOptions extends ReadBodyOptions {
  /**
   * The public origin the sender called, e.g. `'https://hooks.example.com'`, from your
   * configuration (never from the request's `Host` header), to rebuild the full URL for schemes
   * that sign it (Twilio). Only the request target is used (`req.originalUrl` where a framework
   * such as Express sets it under a mount, else `req.url`), never `Host`. It must be a plain path
   * on that origin: `//host/…`, `/\host/…`, any backslash, a `#`, a `.` or `..` segment (also
   * percent-encoded: `%2e%2e`), an absolute-form
   * target (`http://other/…`), or a path resolving to another origin is
   * `ERR_WEBHOOK_HEADER_MALFORMED` with `header: ':path'`. Default: none (`url` is left out).
   */
  publicOrigin?: string;
}

/**
 * Reads a Node `http.IncomingMessage` (Node's http server, Express, Fastify's `request.raw`) into
 * what `verify` takes: headers and the raw body bytes, bounded by `maxBodyBytes`. When a
 * middleware already read the body, a `Buffer` in `req.body` (express.raw()) is used; a parsed
 * object (express.json()) is refused with `ERR_WEBHOOK_BODY_NOT_RAW`, which says why.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createVerifier, readIncomingMessage } from '@portcullis/webhooks';
 * const verifier = createVerifier({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * createServer(async (req, res) => {
 *   try {
 *     await verifier.verify(await readIncomingMessage(req));
 *     res.writeHead(204).end();
 *   } catch {
 *     res.writeHead(400).end();
 *   }
 * });
 * ```
 */
export async function readIncomingMessage(
  req: IncomingMessageLike,
  options: ReadIncomingMessageOptions = {},
): Promise<RawRequest> {
  if (typeof req !== 'object' || req === null || typeof req.headers !== 'object') {
    throw invalidArgument('req', 'an http.IncomingMessage');
  }
  const { maxBodyBytes: max, publicOrigin } = resolveReadOptions(options);
  const url =
    publicOrigin === undefined
      ? undefined
      : publicUrl(req.originalUrl ?? req.url ?? '/', publicOrigin);
  const withUrl = (input: RawRequest): RawRequest =>
    url === undefined ? input : { ...input, url };
  if (req.body !== undefined) {
    if (req.body instanceof Uint8Array || typeof req.body === 'string') {
      const body = typeof req.body === 'string' ? new TextEncoder().encode(req.body) : req.body;
      if (body.byteLength > max) throw tooLarge(max);
      return withUrl({ headers: req.headers, body });
    }
    throw new WebhookError(
      'ERR_WEBHOOK_BODY_NOT_RAW',
      'The request body was parsed by a middleware before verification; mount express.raw() (or read the raw bytes) on the webhook route.',
    );
  }
  if (req.readableEnded === true) {
    throw new WebhookError(
      'ERR_WEBHOOK_BODY_NOT_RAW',
      'The request body was already read before verification.',
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes =
      typeof chunk === 'string' ? new TextEncoder().encode(chunk) : (chunk as Uint8Array);
    size += bytes.byteLength;
    if (size > max) throw tooLarge(max);
    chunks.push(bytes);
  }
  return withUrl({ headers: req.headers, body: joinChunks(chunks, size) });
}
