import { inspect } from 'node:util';
import { type BoundaryError, defineBoundary, isBoundaryError } from '@portcullis/boundary';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

function refusal(fn: () => unknown): BoundaryError {
  try {
    fn();
  } catch (error) {
    if (isBoundaryError(error)) return error;
    throw error;
  }
  throw new Error('expected a BoundaryError');
}

const SECRET = 'whsec_literal_never_echoed';
const Event = z.object({
  id: z.string(),
  kind: z.literal(SECRET),
  amount: z.number().int().max(100),
  email: z.email(),
  tags: z.array(z.string()).optional(),
});

describe('defineBoundary on zod', () => {
  it('turns the external shape into the internal type, stripping unknown keys by default', () => {
    const boundary = defineBoundary({
      schema: Event,
      transform: (e) => ({ eventId: e.id, cents: e.amount }),
    });
    const input = { id: 'e1', kind: SECRET, amount: 5, email: 'a@b.co', extra: 'x' };
    expect(boundary.parse(input)).toEqual({ eventId: 'e1', cents: 5 });
    expect(defineBoundary({ schema: Event }).parseJson(JSON.stringify(input))).not.toHaveProperty(
      'extra',
    );
  });

  it('lists path and expected kind, never the value, the literal or zod’s message', () => {
    const boundary = defineBoundary({ schema: Event });
    const error = refusal(() =>
      boundary.parse({ id: 7, kind: 'hunter2', amount: 1000, email: 'nope', tags: [1] }),
    );
    expect(error.code).toBe('ERR_BOUNDARY_SCHEMA_MISMATCH');
    expect(error.status).toBe(422);
    expect(error.issues).toEqual([
      { path: ['id'], expected: 'string' },
      { path: ['kind'], expected: 'one of the allowed values' },
      { path: ['amount'], expected: 'a value in the allowed range' },
      { path: ['email'], expected: 'a valid email' },
      { path: ['tags', 0], expected: 'string' },
    ]);
    const everything = `${inspect(error, { depth: Number.POSITIVE_INFINITY })}${JSON.stringify(error)}`;
    for (const leak of [SECRET, 'hunter2', '1000', 'nope', '100'])
      expect(everything).not.toContain(leak);
  });

  it('bounds the issue list and says so', () => {
    const boundary = defineBoundary({ schema: z.array(z.string()), maxIssues: 3 });
    const error = refusal(() => boundary.parse([1, 2, 3, 4, 5]));
    expect(error.issues).toHaveLength(3);
    expect(error.truncated).toBe(true);
    expect(error.message).toContain('5 issues');
  });

  it('refuses unknown keys in strict mode, nested and in arrays', () => {
    const boundary = defineBoundary({
      schema: z.object({
        a: z.object({ b: z.string() }),
        list: z.array(z.object({ c: z.number() })),
      }),
      unknownKeys: 'strict',
    });
    const error = refusal(() =>
      boundary.parse({ a: { b: 'x', sneaky: 1 }, list: [{ c: 1, d: 2 }], e: 3 }),
    );
    expect(error.issues.map((i) => i.path)).toEqual([['a', 'sneaky'], ['list', 0, 'd'], ['e']]);
    expect(error.issues.every((i) => i.expected === 'no unknown key')).toBe(true);
  });

  it('refuses __proto__ (zod would drop it silently) and deep input before the schema runs', () => {
    const boundary = defineBoundary({ schema: z.object({}).loose() });
    expect(refusal(() => boundary.parse(JSON.parse('{"__proto__":{"admin":true}}'))).code).toBe(
      'ERR_BOUNDARY_FORBIDDEN_KEY',
    );
    type Tree = string | { a: Tree };
    const Rec: z.ZodType<Tree> = z.lazy(() => z.union([z.string(), z.object({ a: Rec })]));
    let deep: Tree = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(refusal(() => defineBoundary({ schema: Rec }).parse(deep)).code).toBe(
      'ERR_BOUNDARY_TOO_DEEP',
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(refusal(() => boundary.parse(cyclic)).code).toBe('ERR_BOUNDARY_TOO_DEEP');
  });

  it('bounds strings and arrays by default, before the schema', () => {
    const boundary = defineBoundary({ schema: z.unknown() });
    expect(refusal(() => boundary.parse('x'.repeat(100_001))).code).toBe(
      'ERR_BOUNDARY_STRING_TOO_LONG',
    );
    expect(refusal(() => boundary.parse(new Array(10_001).fill(0))).code).toBe(
      'ERR_BOUNDARY_ARRAY_TOO_LONG',
    );
  });

  it('safeParse returns refusals instead of throwing', () => {
    const boundary = defineBoundary({ schema: z.string() });
    expect(boundary.safeParse('ok')).toEqual({ ok: true, value: 'ok' });
    const result = boundary.safeParse(1);
    expect(result.ok).toBe(false);
    expect(boundary.safeParse({ __proto__: null, constructor: 1 }).ok).toBe(false);
  });

  it('refuses an async schema with a typed configuration error, and bad options as TypeErrors', () => {
    const boundary = defineBoundary({ schema: z.string().refine(async () => true) });
    expect(refusal(() => boundary.parse('x')).code).toBe('ERR_BOUNDARY_SCHEMA_ASYNC');
    expect(() => defineBoundary({ schema: {} as never })).toThrow(TypeError);
    expect(() => defineBoundary({ schema: z.string(), unknownKeys: 'loose' as never })).toThrow(
      TypeError,
    );
  });
});

describe('defineBoundary on another Standard Schema validator (valibot)', () => {
  it('accepts, strips, and refuses with the same safe issues', () => {
    const boundary = defineBoundary({ schema: v.object({ a: v.string(), k: v.literal(SECRET) }) });
    expect(boundary.parse({ a: 'x', k: SECRET, z: 1 })).toEqual({ a: 'x', k: SECRET });
    const error = refusal(() => boundary.parse({ a: 1, k: 'guess' }));
    expect(error.issues).toEqual([
      { path: ['a'], expected: 'string' },
      { path: ['k'], expected: 'a valid value' },
    ]);
    expect(JSON.stringify(error) + inspect(error)).not.toContain(SECRET);
  });
});
