import { invalidArgument } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import { resolveReadOptions } from '../internal/options.ts';
import { publicUrl, requestPath } from '../internal/publicUrl.ts';
import type { VerifyInput } from '../verifier/createVerifier.ts';

/** What {@link readRequest} and `readIncomingMessage` return: a `VerifyInput` whose body is bytes. */
export interface RawRequest extends VerifyInput {
  /** The raw body bytes, exactly as received: decode and parse them after `verify`. */
  body: Uint8Array;
}

/** Options of {@link readRequest} and `readIncomingMessage`. */
export interface ReadBodyOptions {
  /** Largest body read, in bytes; more is `ERR_WEBHOOK_BODY_TOO_LARGE`. Default: 1 048 576 (1 MiB). */
  maxBodyBytes?: number;
}

/** `ERR_WEBHOOK_BODY_TOO_LARGE` for a body above `max` bytes. */
export function tooLarge(max: number): WebhookError {
  return new WebhookError(
    'ERR_WEBHOOK_BODY_TOO_LARGE',
    `The webhook body is larger than ${max} bytes.`,
  );
}

/** Joins the chunks read from a body stream (`size` bytes in all) into one array. */
export function joinChunks(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const body = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    body.set(c, offset);
    offset += c.byteLength;
  }
  return body;
}

/** Options of {@link readRequest}. */
export interface ReadRequestOptions extends ReadBodyOptions {
  /**
   * The public origin the sender called, e.g. `'https://hooks.example.com'`, from your
   * configuration. When set, the returned `url` is this origin plus the request's path and query,
   * instead of `request.url`: on Node adapters (Hono, Next.js, Remix on Node) `request.url` is
   * built from the `Host` header, which the client chooses, so a scheme that signs the URL
   * (Twilio) should not trust it. Nor can the path be taken on trust, since Node accepts a `Host`
   * such as `hooks.example.com/other-hook#` (giving `…/other-hook#/real-path`): so with this option
   * a `request.url` with a fragment or user info, or a `Host` / `X-Forwarded-Host` header that is
   * not a plain `host[:port]`, is `ERR_WEBHOOK_HEADER_MALFORMED` (`header` is `':path'` or the
   * header's name), as is a path that is not a plain path on that origin (`//host/…`, any
   * backslash, `header: ':path'`). Default: none (`url` is `request.url`).
   */
  publicOrigin?: string;
}

/**
 * Reads a Fetch API `Request` (Workers, Deno, Bun, Next.js route handlers, Hono) into what
 * `verify` takes: its headers, its raw body bytes (bounded by `maxBodyBytes`) and its URL (rebuilt
 * under `publicOrigin` when set). The request body is consumed; parse the returned bytes after
 * verifying.
 *
 * @example
 * ```ts
 * import { createVerifier, readRequest } from '@portcullis/webhooks';
 * const verifier = createVerifier({ secrets: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' });
 * export async function POST(request: Request): Promise<Response> {
 *   const input = await readRequest(request);
 *   await verifier.verify(input);
 *   const event = JSON.parse(new TextDecoder().decode(input.body));
 *   return new Response(null, { status: 204 });
 * }
 * ```
 */
export async function readRequest(
  request: Request,
  options: ReadRequestOptions = {},
): Promise<RawRequest> {
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.arrayBuffer !== 'function'
  ) {
    throw invalidArgument('request', 'a Fetch API Request');
  }
  const { maxBodyBytes: max, publicOrigin } = resolveReadOptions(options);
  let url = request.url;
  if (publicOrigin !== undefined) {
    url = publicUrl(requestPath(url, request.headers), publicOrigin);
  }
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) throw tooLarge(max);
  if (request.bodyUsed) {
    throw new WebhookError(
      'ERR_WEBHOOK_BODY_NOT_RAW',
      'The request body was already read before verification.',
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body !== null) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge(max);
      }
      chunks.push(value);
    }
  }
  return { headers: request.headers, body: joinChunks(chunks, size), url };
}
