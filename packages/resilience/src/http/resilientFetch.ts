import {
  type OptionRules,
  parseRetryAfter,
  resolveOptions,
  rules,
  telemetry,
} from '@portcullis/core';
import { PipelineCore } from '../internal/PipelineCore.ts';
import { DEFAULTS } from '../options/DEFAULTS.ts';
import type { PipelineOptions } from '../options/PipelineOptions.ts';
import {
  PIPELINE_RULES,
  type ResolvedPipelineOptions,
  refuseUnworkable,
  TOP_DEFAULTS,
} from '../options/resolvePipelineOptions.ts';
import {
  failureOnResponse,
  isIdempotentMethod,
  isReadMethod,
  retryOnResponse,
} from './classify.ts';
import { drainResponse } from './drainResponse.ts';
import { isReplayable, prepareRequest } from './prepareRequest.ts';
import { rateLimitPauseMs } from './rateLimitHeaders.ts';

/** Options of {@link resilientFetch}: the pipeline's, with HTTP classification built in. */
export interface ResilientFetchOptions
  extends Omit<
    PipelineOptions<Response>,
    'retryOn' | 'failureOn' | 'retryAfterMs' | 'discard' | 'key'
  > {
  /**
   * Add an `Idempotency-Key` (a random UUID) to `POST`/`PATCH` requests that have none, so they
   * can be retried; the same key goes on every attempt of the call. Default: false.
   */
  addIdempotencyKey?: boolean;
  /** Most bytes read from a failed attempt's body to free its connection. Default: 65536. */
  drainMaxBytes?: number;
  /** Longest time spent draining one such body. Milliseconds. Default: 1000. */
  drainTimeoutMs?: number;
  /** The breaker/budget/limiter key for a URL. Default: its `host` (name and port). */
  keyFor?: (url: URL) => string;
}

type FetchOnly = Pick<
  ResilientFetchOptions,
  'addIdempotencyKey' | 'drainMaxBytes' | 'drainTimeoutMs' | 'keyFor'
>;
type FetchRules = OptionRules<
  Omit<PipelineOptions, 'retryOn' | 'failureOn' | 'retryAfterMs' | 'discard' | 'key'> & FetchOnly
>;

const { retryOn, failureOn, retryAfterMs, discard, key, ...SHARED_RULES } = PIPELINE_RULES;
const FETCH_RULES: FetchRules = {
  ...SHARED_RULES,
  addIdempotencyKey: rules.boolean(),
  drainMaxBytes: rules.integer({ min: 0 }),
  drainTimeoutMs: rules.durationMs(),
  keyFor: rules.optional(rules.func<(url: URL) => string>()),
};

/**
 * Wraps `fetch` in the standard pipeline: total timeout 30 s → retry (3 calls in all, exponential
 * from 2 s with full jitter, `Retry-After` as a minimum, a retry budget per host) → per attempt:
 * breaker per host (10 % of ≥ 100 calls over 30 s, or 10 in a row; 5 s break; one probe) → rate
 * limit fed by `RateLimit` headers → bulkhead → attempt timeout 10 s. Network errors, 408, 429 and
 * 5xx are retried for `GET`/`HEAD`/`OPTIONS`/`PUT`/`DELETE`, and for `POST`/`PATCH` only with an
 * `Idempotency-Key` (the same on every attempt). Bodies that cannot be replayed are sent once.
 * Failed attempts' bodies are drained. An open breaker rejects at once with
 * `ERR_RESILIENCE_CIRCUIT_OPEN` (no socket opened), `retryAt` saying when it half-opens. The last
 * response is returned as is once retries end: a 503 is still a `Response`.
 *
 * @example
 * ```ts
 * import { resilientFetch } from '@portcullis/resilience';
 * const fetchPartner = resilientFetch(fetch, { addIdempotencyKey: true });
 * const response = await fetchPartner('https://api.example.com/orders', { method: 'POST', body: '{}' });
 * ```
 */
export function resilientFetch(
  fetchImpl: typeof fetch = globalThis.fetch,
  options?: ResilientFetchOptions,
): typeof fetch {
  if (typeof fetchImpl !== 'function')
    throw new TypeError('The "fetch" argument must be a function.');
  const given = resolveOptions<ResilientFetchOptions, Partial<ResilientFetchOptions>>(
    'options',
    options,
    {
      ...(TOP_DEFAULTS as Partial<ResilientFetchOptions>),
      telemetry: options?.telemetry ?? telemetry('@portcullis/resilience'),
      addIdempotencyKey: DEFAULTS.addIdempotencyKey,
      drainMaxBytes: DEFAULTS.drainMaxBytes,
      drainTimeoutMs: DEFAULTS.drainTimeoutMs,
    },
    FETCH_RULES as OptionRules<ResilientFetchOptions>,
  );
  const { addIdempotencyKey, drainMaxBytes, drainTimeoutMs, keyFor, ...pipeline } = given;
  const resolved = pipeline as unknown as ResolvedPipelineOptions<Response>;
  const clock = resolved.clock;
  const maxPauseMs =
    resolved.retry === false ? DEFAULTS.retry.maxRetryAfterMs : resolved.retry.maxRetryAfterMs;
  const core = new PipelineCore<Response>({
    ...resolved,
    key: DEFAULTS.key,
    retryOn: retryOnResponse,
    failureOn: failureOnResponse,
    retryAfterMs: (response) =>
      response.status === 429 || response.status === 503
        ? parseRetryAfterOf(response, clock.now(), maxPauseMs)
        : undefined,
    discard: (response) => drainResponse(response, clock, drainMaxBytes, drainTimeoutMs),
  });
  refuseUnworkable('options', core.o as ResolvedPipelineOptions<never>);

  return async function fetchWithResilience(input, init) {
    const request = prepareRequest(input, init, addIdempotencyKey);
    const callKey = keyFor ? keyFor(request.url) : request.url.host;
    const limiter = core.state(callKey).limiter;
    const retryable =
      isReplayable(input, init) &&
      (isIdempotentMethod(request.method) || request.hasIdempotencyKey);
    return core.execute(
      async ({ signal }) => {
        const response = await fetchImpl(
          input,
          request.headers === undefined
            ? { ...init, signal }
            : { ...init, headers: request.headers, signal },
        );
        if (limiter !== undefined) {
          const pause =
            rateLimitPauseMs(response.headers, maxPauseMs) ??
            (response.status === 429
              ? parseRetryAfterOf(response, clock.now(), maxPauseMs)
              : undefined);
          if (pause !== undefined && pause > 0) limiter.pauseUntil(clock.now() + pause);
        }
        return response;
      },
      {
        key: callKey,
        signal: request.signal,
        maxAttempts: retryable ? undefined : 1,
        idempotent: isReadMethod(request.method),
      },
    );
  };
}

function parseRetryAfterOf(response: Response, nowMs: number, maxMs: number): number | undefined {
  return parseRetryAfter(response.headers.get('retry-after'), nowMs, maxMs);
}
