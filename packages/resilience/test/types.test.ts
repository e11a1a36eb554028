// Type-level checks of the public API: checked by `tsc` (the repository's type check includes the
// tests) and run as no-ops by vitest.
import {
  type AttemptContext,
  type BreakerSnapshot,
  type BreakerState,
  createBreakerRegistry,
  createPipeline,
  type ResilienceErrorCode,
  resilientFetch,
} from '@portcullis/resilience';
import { describe, expectTypeOf, it } from 'vitest';

describe('public types', () => {
  it('execute resolves what fn resolves; fn gets the attempt context', () => {
    const pipeline = createPipeline();
    const result = pipeline.execute(async (context) => {
      expectTypeOf(context).toEqualTypeOf<AttemptContext>();
      return 42;
    });
    expectTypeOf(result).resolves.toEqualTypeOf<number>();
    result.catch(() => {});
  });

  it('resilientFetch is a fetch; the registry exports JSON-safe snapshots', () => {
    expectTypeOf(resilientFetch()).toEqualTypeOf<typeof fetch>();
    const registry = createBreakerRegistry();
    expectTypeOf(registry.exportState()).toEqualTypeOf<Record<string, BreakerSnapshot>>();
    expectTypeOf(registry.states()).toEqualTypeOf<Record<string, BreakerState>>();
    expectTypeOf<'ERR_RESILIENCE_CIRCUIT_OPEN'>().toExtend<ResilienceErrorCode>();
  });
});
