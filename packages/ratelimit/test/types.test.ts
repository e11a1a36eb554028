// Type-level checks of the public API: checked by `tsc` (the repository's type check includes the
// tests) and run as no-ops by vitest.
import {
  createRateLimiter,
  DEFAULTS,
  type Decision,
  type RateLimitErrorCode,
  type RateLimitStore,
  type RedisRateLimitStore,
  type RuleResult,
} from '@portcullis/ratelimit';
import { problemDetails, type RateLimitRequestResult } from '@portcullis/ratelimit/fetch';
import { clientAddress, type SourceErrorCode } from '@portcullis/ratelimit/source';
import { describe, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('check and enforce resolve a Decision whose rules are RuleResults', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 1000 });
    expectTypeOf(limiter.check).returns.resolves.toEqualTypeOf<Decision>();
    expectTypeOf(limiter.enforce).returns.resolves.toEqualTypeOf<Decision>();
    expectTypeOf<Decision['rules']>().toEqualTypeOf<readonly RuleResult[]>();
    expectTypeOf<Decision['degraded']>().toEqualTypeOf<false | 'open' | 'closed' | 'local'>();
    expectTypeOf<RateLimitRequestResult['refusal']>().toEqualTypeOf<Response | undefined>();
  });

  it('codes are closed unions; DEFAULTS is readonly and literal', () => {
    expectTypeOf<RateLimitErrorCode>().toEqualTypeOf<
      'ERR_RATE_LIMITED' | 'ERR_RATE_LIMIT_UNAVAILABLE'
    >();
    expectTypeOf<SourceErrorCode>().toEqualTypeOf<
      'ERR_SOURCE_FORBIDDEN' | 'ERR_SOURCE_ADDRESS_UNKNOWN'
    >();
    expectTypeOf(DEFAULTS.onStoreFailure).toEqualTypeOf<'local'>();
    expectTypeOf(clientAddress).returns.toEqualTypeOf<string>();
    expectTypeOf(problemDetails).returns.toHaveProperty('status').toEqualTypeOf<number>();
  });

  it('the Redis store is a RateLimitStore; wrong options do not compile', () => {
    expectTypeOf<RedisRateLimitStore>().toExtend<RateLimitStore>();
    const neverCalled = (): void => {
      // @ts-expect-error: an unknown algorithm
      createRateLimiter({ limit: 1, windowMs: 1000, algorithm: 'token-bucket' });
      // @ts-expect-error: a rule needs a windowMs
      createRateLimiter({ rules: [{ limit: 1 }] });
    };
    expectTypeOf(neverCalled).toBeFunction();
  });
});
