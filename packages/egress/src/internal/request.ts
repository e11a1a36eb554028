import { Response as UndiciResponse } from 'undici';
import { parseUrl } from './checkUrl.ts';

/** A request taken apart once, so every hop and every retry can send it again. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Headers;
  /** A replayable body (a stream is read once, up front), or null. */
  body: BodyInit | null;
  redirect: RequestRedirect;
  signal: AbortSignal | undefined;
}

function isRequest(value: unknown): value is Request {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof URL) &&
    typeof (value as Request).url === 'string' &&
    typeof (value as Request).method === 'string'
  );
}

function isStream(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body instanceof ReadableStream ||
      typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  );
}

/** Takes `fetch`'s arguments apart (a URL, a string or a `Request` of any realm, plus `init`). */
export function prepareRequest(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): PreparedRequest | Promise<PreparedRequest> {
  if (isRequest(input)) return prepareFromRequest(input, init);
  const url = parseUrl(input as string | URL, 0);
  const body = init?.body ?? null;
  const prepared: PreparedRequest = {
    url,
    method: init?.method === undefined ? 'GET' : init.method.toUpperCase(),
    headers: new Headers(init?.headers),
    body,
    redirect: init?.redirect ?? 'follow',
    signal: init?.signal ?? undefined,
  };
  if (!isStream(body)) return prepared;
  return readAll(body).then((bytes) => ({ ...prepared, body: bytes }));
}

async function prepareFromRequest(
  input: Request,
  init: RequestInit | undefined,
): Promise<PreparedRequest> {
  const headers = new Headers(input.headers);
  if (init?.headers !== undefined) {
    for (const [k, v] of new Headers(init.headers)) headers.set(k, v);
  }
  let body: BodyInit | null = init?.body ?? null;
  if (body === null && input.body !== null) body = await input.arrayBuffer();
  return {
    url: parseUrl(input.url, 0),
    method: (init?.method ?? input.method).toUpperCase(),
    headers,
    body: isStream(body) ? await readAll(body) : body,
    redirect: init?.redirect ?? input.redirect ?? 'follow',
    signal: init?.signal ?? input.signal ?? undefined,
  };
}

async function readAll(body: BodyInit | null): Promise<ArrayBuffer> {
  return new UndiciResponse(body as ConstructorParameters<typeof UndiciResponse>[0]).arrayBuffer();
}
