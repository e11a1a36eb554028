import type { Clock, Telemetry } from '@portcullis/core';
import type { ResolvedPolicy } from '../../options/resolveProviderOptions.ts';
import type { FleetContext } from '../fleet/FleetContext.ts';
import type { TokenResponse } from '../token/held.ts';

/** What every cache entry (TokenSource) of one provider shares. */
export interface SourceContext {
  clock: Clock;
  random: () => number;
  telemetry: Telemetry;
  policy: ResolvedPolicy;
  /** DPoP is configured: only DPoP-bound tokens are accepted, from the server or the store. */
  dpop: boolean;
  /** Sends one token request; throws whatever openid-client or the network threw. */
  request(params: URLSearchParams): Promise<TokenResponse>;
  fleet?: FleetContext;
}
