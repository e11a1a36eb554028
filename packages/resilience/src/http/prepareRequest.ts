/** What `resilientFetch` needs to know about a request before the first attempt. */
export interface PreparedRequest {
  readonly url: URL;
  readonly method: string;
  /**
   * The headers every attempt sends, when they had to be read (`POST`/`PATCH`: to find or add
   * the `Idempotency-Key`, which then is the same on every attempt); otherwise `undefined` and the
   * caller's headers go through untouched.
   */
  readonly headers: Headers | undefined;
  readonly hasIdempotencyKey: boolean;
  readonly signal: AbortSignal | undefined;
}

/**
 * Reads URL, method, headers and signal from `fetch`'s arguments (a string, a `URL` or a
 * `Request`, with `init` winning as in `fetch`). Adds an `Idempotency-Key` to a `POST`/`PATCH`
 * without one when asked.
 */
export function prepareRequest(
  input: string | URL | Request,
  init: RequestInit | undefined,
  addIdempotencyKey: boolean,
): PreparedRequest {
  const isRequest = typeof Request !== 'undefined' && input instanceof Request;
  const url = new URL(isRequest ? input.url : String(input));
  const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  const signal = init?.signal ?? (isRequest ? input.signal : undefined) ?? undefined;
  if (method !== 'POST' && method !== 'PATCH') {
    return { url, method, headers: undefined, hasIdempotencyKey: false, signal };
  }
  const headers = new Headers(init?.headers ?? (isRequest ? input.headers : undefined));
  if (addIdempotencyKey && !headers.has('idempotency-key')) {
    headers.set('idempotency-key', crypto.randomUUID());
  }
  return { url, method, headers, hasIdempotencyKey: headers.has('idempotency-key'), signal };
}

/** Whether the body can be sent again: a stream (in `init` or inside a `Request`) cannot. */
export function isReplayable(
  input: string | URL | Request,
  init: RequestInit | undefined,
): boolean {
  const body = init?.body;
  if (body !== undefined && body !== null) {
    return (
      !(body instanceof ReadableStream) &&
      typeof (body as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function'
    );
  }
  if (init !== undefined && 'body' in init) return true;
  return !(typeof Request !== 'undefined' && input instanceof Request && input.body !== null);
}
