import {
  type Boundary,
  type BoundaryResult,
  defineBoundary,
  importCsv,
  minimize,
} from '@portcullis/boundary';
import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';

describe('types of the public API', () => {
  it('infers the internal type from the schema and the transform', () => {
    const plain = defineBoundary({ schema: z.object({ a: z.string() }) });
    expectTypeOf(plain).toEqualTypeOf<Boundary<{ a: string }>>();
    const mapped = defineBoundary({
      schema: z.object({ a: z.string() }),
      transform: (v) => v.a.length,
    });
    expectTypeOf(mapped.parseJson).returns.toEqualTypeOf<number>();
    expectTypeOf(mapped.safeParse).returns.toEqualTypeOf<BoundaryResult<number>>();
  });

  it('types CSV rows and minimised data by the schema output', async () => {
    const row = z.object({ n: z.coerce.number() });
    const { rows } = await importCsv('n\n1\n', row);
    expectTypeOf(rows).toEqualTypeOf<{ n: number }[]>();
    expectTypeOf(minimize(row, { n: 1, extra: true })).toEqualTypeOf<{ n: number }>();
  });
});
