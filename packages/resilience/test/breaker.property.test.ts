import { ManualClock } from '@portcullis/core';
import { createBreakerRegistry } from '@portcullis/resilience';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const ops = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('call' as const), fail: fc.boolean(), hold: fc.boolean() }),
    fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
  ),
  { maxLength: 200 },
);

describe('circuit breaker properties', () => {
  it('never lets a call through while open, and never two probes at once', () => {
    fc.assert(
      fc.property(ops, fc.integer({ min: 1, max: 5 }), (script, consecutive) => {
        const clock = new ManualClock(1_000_000);
        const breaker = createBreakerRegistry({
          clock,
          consecutiveFailures: consecutive,
          breakDurationMs: 1000,
          minThroughput: 4,
          failureRatio: 0.5,
        }).get('k');
        let heldProbe = false;
        for (const op of script) {
          if (op.kind === 'wait') {
            clock.advance(op.ms);
            continue;
          }
          const before = breaker.state;
          const openUntil = breaker.openUntil;
          let probe: boolean;
          try {
            probe = breaker.acquire();
          } catch (error) {
            expect(before === 'open' || (before === 'half-open' && heldProbe)).toBe(true);
            expect((error as { retryAt: number }).retryAt).toBeGreaterThanOrEqual(clock.now());
            continue;
          }
          expect(before === 'open' && clock.now() < (openUntil ?? 0)).toBe(false);
          if (probe) {
            expect(heldProbe).toBe(false);
            if (op.hold) {
              heldProbe = true; // leave it out; the next call must be refused
              continue;
            }
          }
          breaker.record(probe, op.fail);
        }
      }),
    );
  });

  it('with the consecutive rule off, fewer than minThroughput calls in the window never open it', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 9 }), (fails) => {
        const clock = new ManualClock(0);
        const breaker = createBreakerRegistry({
          clock,
          consecutiveFailures: 0,
          minThroughput: 10,
          failureRatio: 0.1,
        }).get('k');
        for (const fail of fails) breaker.record(breaker.acquire(), fail);
        expect(breaker.state).toBe('closed');
      }),
    );
  });
});
