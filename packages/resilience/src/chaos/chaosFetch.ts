import { type ChaosOptions, injectChaos, resolveChaos } from './withChaos.ts';

/** {@link ChaosOptions} plus synthetic HTTP answers. */
export interface ChaosFetchOptions extends ChaosOptions {
  /** Chance a call is answered with `status` without reaching the network. Default: 0. */
  statusRate?: number;
  /** The status of a synthetic answer. Default: 503. */
  status?: number;
}

/**
 * Wraps `fetch` so some requests are slowed, fail as network errors would, or get a synthetic
 * status (503 by default) without reaching the server: for testing a consumer's own handling.
 *
 * @example
 * ```ts
 * import { chaosFetch, resilientFetch } from '@portcullis/resilience';
 * const unreliable = chaosFetch(fetch, { statusRate: 0.3, status: 503 });
 * const client = resilientFetch(unreliable);
 * ```
 */
export function chaosFetch(fetchImpl: typeof fetch, options?: ChaosFetchOptions): typeof fetch {
  const chaos = resolveChaos(options, true);
  return async (input, init) => {
    await injectChaos(chaos, init?.signal ?? undefined);
    if (chaos.random() < chaos.statusRate) {
      return new Response(null, { status: chaos.status, headers: { 'x-chaos': 'injected' } });
    }
    return fetchImpl(input, init);
  };
}
