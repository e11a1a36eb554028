import { ManualClock, MemoryStore } from '@portcullis/core';
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ops, run, StoreModel } from './model.ts';

it('MemoryStore agrees with the model on any sequence of operations and clock moves', async () => {
  await fc.assert(
    fc.asyncProperty(ops(fc.integer({ min: 1, max: 2000 }), true), async (sequence) => {
      const clock = new ManualClock(1_000_000);
      const store = new MemoryStore({ clock });
      const model = new StoreModel();
      model.now = clock.now();
      for (const op of sequence) {
        if (op.op === 'advance') clock.advance(op.ms);
        expect(await run(store, op)).toEqual(model.apply(op));
      }
    }),
    { numRuns: 300 },
  );
});
