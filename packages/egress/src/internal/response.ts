import { Response } from 'undici';
import { EgressError } from '../errors/EgressError.ts';

const NO_BODY = new Set([101, 204, 205, 304]);

/** Whether a response to `method` can carry a body. */
function hasBody(method: string, status: number): boolean {
  return method !== 'HEAD' && !NO_BODY.has(status);
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => {});
}

/** Refuses a response whose media type is not allowed (before anyone parses the body). */
export async function checkContentType(
  response: Response,
  method: string,
  allowed: readonly string[] | undefined,
  host: string,
): Promise<void> {
  if (allowed === undefined || !hasBody(method, response.status)) return;
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== undefined && allowed.includes(type)) return;
  await discard(response);
  throw new EgressError(
    'ERR_EGRESS_CONTENT_TYPE_REFUSED',
    `The response from "${host}" has a media type that is not allowed.`,
    { host },
  );
}

/**
 * Caps the body at `max` bytes. A declared `content-length` above it is refused at once; a body
 * without one, or a compressed one (undici decompresses, so the declared length says nothing about
 * what is read), is counted as it streams and errors with `ERR_EGRESS_RESPONSE_TOO_LARGE` past the
 * cap. A plain body whose declared length fits is passed through untouched (undici reads exactly
 * that many bytes).
 */
export async function capBody(response: Response, max: number, host: string): Promise<Response> {
  const tooLarge = (): EgressError =>
    new EgressError(
      'ERR_EGRESS_RESPONSE_TOO_LARGE',
      `The response from "${host}" is larger than maxResponseBytes (${max}).`,
      { host },
    );
  const body = response.body;
  if (body === null) return response;
  const declared = response.headers.get('content-length');
  const length = declared === null ? Number.NaN : Number(declared);
  if (length > max) {
    await discard(response);
    throw tooLarge();
  }
  if (!Number.isNaN(length) && !response.headers.has('content-encoding')) return response;
  let seen = 0;
  const counted = (body as ReadableStream<Uint8Array>).pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > max) controller.error(tooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
  const capped = new Response(counted as never, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  Object.defineProperty(capped, 'url', { value: response.url });
  return capped;
}

/** Marks a response that came after redirects the way `fetch` would (`url`, `redirected`). */
export function markRedirected(response: Response, url: string): void {
  Object.defineProperty(response, 'url', { value: url });
  Object.defineProperty(response, 'redirected', { value: true });
}

export { discard };
