import { reveal } from '@portcullis/core';
import { type Dispatcher, type Response as UndiciResponse, fetch as undiciFetch } from 'undici';
import { EgressError, isEgressError } from '../errors/EgressError.ts';
import { checkUrl, parseUrl, withHop } from '../internal/checkUrl.ts';
import { resolveTarget } from '../internal/connector.ts';
import { makeDispatcher } from '../internal/dispatcher.ts';
import { mapNetworkError } from '../internal/networkError.ts';
import { REDIRECTS, redirectedRequest, redirectTarget } from '../internal/redirect.ts';
import { type PreparedRequest, prepareRequest } from '../internal/request.ts';
import { capBody, checkContentType, discard, markRedirected } from '../internal/response.ts';
import { resolveSecureFetchOptions } from '../options/resolveSecureFetchOptions.ts';
import type {
  BearerToken,
  EgressAuditEvent,
  ResilienceContext,
  SecureFetchOptions,
} from '../options/SecureFetchOptions.ts';

/** What {@link SecureFetch.check} found: the URL passes every check egress makes before a request. */
export interface CheckedTarget {
  /** The URL's origin (no credentials, path or query). */
  readonly origin: string;
  /** The canonical addresses the host resolved to (all allowed), or the literal address. */
  readonly addresses: readonly string[];
}

/**
 * A `fetch` with egress policy. Use it wherever a `fetch` is accepted (SDKs' `fetch` option).
 * It also has `check(url)` (the same checks without sending: for validating a URL a customer
 * registers) and `close()` (closes the pooled connections).
 */
export interface SecureFetch {
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Runs the URL checks and the DNS address check, without sending anything. */
  check(url: string | URL): Promise<CheckedTarget>;
  /** Closes pooled connections; requests after it fail. */
  close(): Promise<void>;
  /** The undici dispatcher requests go through (for metrics or tests). */
  readonly dispatcher: Dispatcher;
}

const REFUSALS = new Set([
  'ERR_EGRESS_INVALID_URL',
  'ERR_EGRESS_INSECURE_SCHEME',
  'ERR_EGRESS_HOST_NOT_ALLOWED',
  'ERR_EGRESS_ADDRESS_REFUSED',
  'ERR_EGRESS_REDIRECT_REFUSED',
  'ERR_EGRESS_TOO_MANY_REDIRECTS',
  'ERR_EGRESS_CONTENT_TYPE_REFUSED',
  'ERR_EGRESS_RESPONSE_TOO_LARGE',
]);

/** `work`, or the signal's reason as soon as `signal` aborts (whichever comes first). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function contextSignal(
  context: unknown,
  fallback: AbortSignal | undefined,
): AbortSignal | undefined {
  if (context instanceof AbortSignal) return context;
  const signal = (context as Partial<ResilienceContext> | undefined)?.signal;
  return signal instanceof AbortSignal ? signal : fallback;
}

/**
 * Makes a `fetch` for outbound calls that only reaches what it should:
 *
 * - **allow-list**: hosts (exact, `*.wildcard`, `*`) and ports; `https:` only;
 * - **addresses checked at connect time**, after DNS, on every new connection, and the socket
 *   opened to exactly the address checked (no second lookup, so DNS rebinding cannot swap it):
 *   only globally routable unicast, with IPv4 embedded in IPv6 judged by the embedded address;
 * - **redirects followed by hand**, each hop re-checked, no `https:` → `http:`, `Authorization`
 *   (and cookies) dropped across origins, at most `maxRedirects`;
 * - **TLS ≥ 1.2** with validation always on, a custom CA, mTLS from `Redacted` PEM, pooling;
 * - **response size cap** and optional **content-type check** before the body is read;
 * - composition: `tokens` (`Authorization`, one refresh on `401`), `resilience` (around each
 *   request), `audit` (one event per call).
 *
 * Options are validated now: a wrong type or an unknown key is a `TypeError`.
 *
 * @example
 * ```ts
 * import { createSecureFetch } from '@portcullis/egress';
 * const secureFetch = createSecureFetch({
 *   allowHosts: ['api.github.com', '*.stripe.com'],
 *   maxResponseBytes: 1_000_000,
 *   allowContentTypes: ['application/json'],
 * });
 * // Pass it to any SDK that takes a fetch, or call it like fetch:
 * const response = await secureFetch('https://api.github.com/zen');
 * await secureFetch.close();
 * ```
 */
export function createSecureFetch(options: SecureFetchOptions): SecureFetch {
  const o = resolveSecureFetchOptions(options);
  const dispatcher = makeDispatcher(o);
  const { tokens, resilience, audit, clock, telemetry } = o;
  // checkUrl is a pure function of the options and (scheme, host, port): remember what passed.
  const passed = new Set<string>();
  const checked = (url: URL, hop: number): void => {
    const key = `${url.protocol}//${url.host}`;
    if (passed.has(key)) return;
    checkUrl(url, hop, o);
    if (passed.size >= 1024) passed.clear();
    passed.add(key);
  };

  const send = async (req: PreparedRequest, url: URL, headers: Headers, hop: number) => {
    const once = (signal: AbortSignal | undefined): Promise<UndiciResponse> => {
      const init: Parameters<typeof undiciFetch>[1] = {
        method: req.method,
        body: req.body as never,
        redirect: 'manual',
        dispatcher,
      };
      // Skipped when empty: undici converts a Headers of another realm entry by entry.
      if (headers.keys().next().done !== true) init.headers = headers as never;
      if (signal !== undefined) init.signal = signal;
      return undiciFetch(url.href, init).catch((error: unknown) => {
        throw mapNetworkError(error, url.hostname, hop);
      });
    };
    if (resilience === undefined) return once(req.signal);
    // THE RESILIENCE PIPELINE PLUGS IN HERE: around each request, inside the token step.
    const opts = req.signal === undefined ? {} : { signal: req.signal };
    return resilience.execute((context) => once(contextSignal(context, req.signal)), opts);
  };

  const authorize = async (
    headers: Headers,
    signal: AbortSignal | undefined,
  ): Promise<BearerToken | undefined> => {
    if (tokens === undefined) return undefined;
    // The token may be shared by many callers: an abort ends this caller's wait only.
    const token = await untilAborted(tokens.getToken(), signal);
    const type = token.type ?? 'Bearer';
    if (type.toLowerCase() !== 'bearer') {
      throw new EgressError(
        'ERR_EGRESS_TOKEN_UNSUPPORTED',
        `A "${type === 'DPoP' ? 'DPoP' : 'non-Bearer'}" token cannot be sent by egress: it needs a proof per request.`,
      );
    }
    headers.set('authorization', `Bearer ${reveal(token.value)}`);
    return token;
  };

  const run = async (req: PreparedRequest, trace: { finalOrigin: string; redirects: number }) => {
    let url = req.url;
    let hop = 0;
    checked(url, hop);
    const headers = req.headers;
    let token = await authorize(headers, req.signal);
    let refreshed = false;
    let current = req;
    for (;;) {
      const response = await send(current, url, headers, hop);
      trace.finalOrigin = url.origin;
      if (REDIRECTS.has(response.status) && current.redirect !== 'manual') {
        const location = response.headers.get('location');
        if (location === null) return { response, url, hop };
        await discard(response);
        if (current.redirect === 'error') {
          throw new EgressError(
            'ERR_EGRESS_REDIRECT_REFUSED',
            'The response redirected, and redirect was "error".',
            {
              host: url.hostname,
              hop,
            },
          );
        }
        hop++;
        trace.redirects = hop;
        if (hop > o.maxRedirects) {
          throw new EgressError(
            'ERR_EGRESS_TOO_MANY_REDIRECTS',
            `More than ${o.maxRedirects} redirects.`,
            { host: url.hostname, hop },
          );
        }
        const next = redirectTarget(location, url, hop);
        checked(next, hop);
        const redirected = redirectedRequest(response.status, current, headers, url, next);
        current = redirected.request;
        if (redirected.crossOrigin) token = undefined;
        url = next;
        continue;
      }
      if (
        response.status === 401 &&
        hop === 0 &&
        token !== undefined &&
        !refreshed &&
        tokens?.invalidate !== undefined
      ) {
        refreshed = true;
        await discard(response);
        await (tokens.invalidate as (t: BearerToken) => Promise<unknown>).call(tokens, token);
        token = await authorize(headers, req.signal);
        continue;
      }
      return { response, url, hop };
    }
  };

  const secureFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const started = clock.now();
    const trace = { finalOrigin: '', redirects: 0 };
    let origin = '';
    let method = 'GET';
    const report = (rest: Pick<EgressAuditEvent, 'outcome'> & Partial<EgressAuditEvent>): void => {
      const durationMs = clock.now() - started;
      telemetry.count('egress.requests', 1, {
        outcome: rest.outcome,
        ...(rest.code === undefined ? {} : { code: rest.code }),
      });
      telemetry.record('egress.duration_ms', durationMs, { outcome: rest.outcome });
      if (audit === undefined) return;
      try {
        audit({
          type: 'egress.request',
          method,
          origin,
          finalOrigin: trace.finalOrigin || origin,
          redirects: trace.redirects,
          durationMs,
          ...rest,
        });
      } catch {
        // The audit hook must not change the outcome of the call.
      }
    };
    try {
      const prepared = prepareRequest(input, init);
      const req = prepared instanceof Promise ? await prepared : prepared;
      origin = req.url.origin;
      method = req.method;
      const { response, url, hop } = await run(req, trace);
      await checkContentType(response, req.method, o.allowContentTypes, url.hostname);
      const capped = await capBody(response, o.maxResponseBytes, url.hostname);
      if (hop > 0) markRedirected(capped, url.href);
      report({ outcome: 'ok', status: capped.status });
      return capped as unknown as Response;
    } catch (error) {
      const code = isEgressError(error) ? error.code : undefined;
      report({
        outcome: code !== undefined && REFUSALS.has(code) ? 'refused' : 'failed',
        ...(code === undefined ? {} : { code }),
      });
      throw error;
    }
  };

  const check = async (target: string | URL): Promise<CheckedTarget> => {
    const url = parseUrl(target, 0);
    checkUrl(url, 0, o);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    try {
      const addresses = await resolveTarget(host, url.protocol, o);
      return { origin: url.origin, addresses };
    } catch (error) {
      throw withHop(error, 0);
    }
  };

  return Object.assign(secureFetch, {
    check,
    close: () => dispatcher.close(),
    dispatcher,
  });
}
