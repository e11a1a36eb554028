import { createHash } from 'node:crypto';
import { IdempotencyError } from '../errors/IdempotencyError.ts';

/** An sf-string (`"…"`) or a bare token: 1–255 printable ASCII characters, no comma (a repeated header is joined by one). */
const QUOTED = /^"([\x20\x21\x23-\x5b\x5d-\x7e]{1,255})"$/;
const BARE = /^[\x21\x23-\x2b\x2d-\x7e]{1,255}$/;

/** The key from an `Idempotency-Key` header value, or a typed refusal. */
export function readKey(header: string): string {
  const value = header.trim();
  const quoted = QUOTED.exec(value);
  if (quoted !== null) return quoted[1] as string;
  if (BARE.test(value)) return value;
  throw new IdempotencyError(
    'ERR_IDEMPOTENCY_KEY_MALFORMED',
    'The Idempotency-Key header must hold one key of 1-255 printable characters.',
  );
}

/** Reads a request body up to `max` bytes, refusing a larger one without reading it all. */
export async function readBody(request: Request, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  const tooLarge = (): IdempotencyError =>
    new IdempotencyError(
      'ERR_IDEMPOTENCY_BODY_TOO_LARGE',
      `The request body is larger than ${max} bytes.`,
    );
  if (declared > max) throw tooLarge();
  if (request.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** What the request is, for "same key, same request?": method, path and query, content type, body. */
export function fingerprintOf(request: Request, body: Uint8Array): string {
  const url = new URL(request.url);
  return createHash('sha256')
    .update(
      `${request.method}\n${url.pathname}${url.search}\n${request.headers.get('content-type') ?? ''}\n`,
    )
    .update(body)
    .digest('base64url');
}

/** The scope key: tenant, route and client key, hashed so no raw header reaches the store. */
export function scopedId(tenant: string, request: Request, key: string): string {
  const route = `${request.method} ${new URL(request.url).pathname}`;
  return createHash('sha256').update(`${tenant}\u0000${route}\u0000${key}`).digest('base64url');
}

/** A response as stored for replay. */
export interface StoredResponse {
  status: number;
  statusText: string;
  headers: [string, string][];
  /** Base64 body, or null when it was larger than `maxResponseBytes` (replayed without a body). */
  body: string | null;
}

/** Headers never replayed: per-connection ones and cookies (a replay must not hand out a session). */
const NOT_REPLAYED = new Set([
  'set-cookie',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'date',
  'content-length',
]);

export async function storeResponse(
  response: Response,
  max: number,
): Promise<{ stored: StoredResponse; replayable: Response }> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const headers = [...response.headers].filter(([name]) => !NOT_REPLAYED.has(name));
  const stored: StoredResponse = {
    status: response.status,
    statusText: response.statusText,
    headers,
    body: bytes.byteLength <= max ? Buffer.from(bytes).toString('base64') : null,
  };
  // The caller still gets the full original body; only the stored copy is bounded.
  const replayable = new Response(
    bytes.byteLength === 0 && nullBodyStatus(response.status) ? null : bytes,
    {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    },
  );
  return { stored, replayable };
}

function nullBodyStatus(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}

export function replayResponse(stored: StoredResponse): Response {
  const headers = new Headers(stored.headers);
  headers.set('idempotent-replayed', 'true');
  const body =
    stored.body === null || nullBodyStatus(stored.status)
      ? null
      : Buffer.from(stored.body, 'base64');
  return new Response(body, { status: stored.status, statusText: stored.statusText, headers });
}

/** An RFC 9457 problem response for a refusal (stable code, safe title; no internals). */
export function problemResponse(error: IdempotencyError): Response {
  const headers = new Headers({ 'content-type': 'application/problem+json' });
  if (error.retryAfterMs !== undefined)
    headers.set('retry-after', String(Math.ceil(error.retryAfterMs / 1000)));
  const status = error.status ?? 500;
  return new Response(
    JSON.stringify({ type: 'about:blank', title: error.message, status, code: error.code }),
    { status, headers },
  );
}
