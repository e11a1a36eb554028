import { OAuthError } from '../../errors/OAuthError.ts';
import { fromResponse, type Held } from '../token/held.ts';
import type { SourceContext } from './SourceContext.ts';

/**
 * One token request: applies the token response rules, timed from when the request was sent. A
 * response slower than the token's usable life brings a token that must not be served: treated as
 * a failed attempt (backoff).
 */
export async function requestToken(
  ctx: SourceContext,
  params: URLSearchParams,
  scopes: readonly string[],
): Promise<Held> {
  const sentAt = ctx.clock.now();
  ctx.telemetry.count('portcullis.oauth.token_requests');
  const response = await ctx.request(params);
  const fresh = fromResponse(response, sentAt, scopes, ctx.policy, ctx.random, ctx.dpop);
  if (ctx.clock.now() >= fresh.usableUntil) {
    throw new OAuthError(
      'ERR_OAUTH_INVALID_RESPONSE',
      'The token response arrived after the token stopped being usable.',
    );
  }
  return fresh;
}
