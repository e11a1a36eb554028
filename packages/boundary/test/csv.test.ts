import { Readable } from 'node:stream';
import { importCsv, isBoundaryError } from '@portcullis/boundary';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const Row = z.object({ email: z.email(), name: z.string().max(40) });

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (isBoundaryError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a BoundaryError');
}

describe('importCsv', () => {
  it('returns good rows and numbered row errors, in file order, never the cell contents', async () => {
    const csv = [
      'email,name',
      'ada@example.com,Ada',
      'not-an-email,Bob',
      'eve@example.com,"=HYPERLINK(""http://evil"")"',
      'x@example.com,too,many',
      '"mal@example.com","Mal\u202Eory"',
    ].join('\r\n');
    const result = await importCsv(csv, Row);
    expect(result.rows).toEqual([
      { email: 'ada@example.com', name: 'Ada' },
      { email: 'mal@example.com', name: 'Malory' },
    ]);
    expect(result.errors.map((e) => [e.row, e.line, e.code])).toEqual([
      [2, 3, 'ERR_BOUNDARY_SCHEMA_MISMATCH'],
      [3, 4, 'ERR_BOUNDARY_CSV_FORMULA'],
      [4, 5, 'ERR_BOUNDARY_CSV_RECORD_INVALID'],
    ]);
    expect(result.errors[0]?.issues).toEqual([{ path: ['email'], expected: 'a valid email' }]);
    expect(JSON.stringify(result.errors)).not.toMatch(/HYPERLINK|not-an-email|evil/);
    expect(result.errorCount).toBe(3);
  });

  it('reads a stream of byte chunks (a BOM too) split anywhere', async () => {
    const bytes = new TextEncoder().encode('\uFEFFemail,name\nada@example.com,"A, da"\n');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    const result = await importCsv(Readable.from(chunks), Row);
    expect(result.rows).toEqual([{ email: 'ada@example.com', name: 'A, da' }]);
  });

  it('allows formulas by option (to neutralise at export) and takes explicit columns', async () => {
    const result = await importCsv('a@b.co,=1+1\n', Row, {
      formulas: 'allow',
      columns: ['email', 'name'],
    });
    expect(result.rows).toEqual([{ email: 'a@b.co', name: '=1+1' }]);
  });

  it('bounds errors kept, rows, bytes; refuses bad headers', async () => {
    const many = `email,name\n${'bad,x\n'.repeat(50)}`;
    const result = await importCsv(many, Row, { maxErrors: 5 });
    expect(result.errors).toHaveLength(5);
    expect(result.errorCount).toBe(50);
    expect(await refusal(importCsv(many, Row, { maxRows: 10 }))).toBe(
      'ERR_BOUNDARY_CSV_TOO_MANY_ROWS',
    );
    expect(await refusal(importCsv(many, Row, { maxBytes: 20 }))).toBe('ERR_BOUNDARY_TOO_LARGE');
    expect(await refusal(importCsv(Readable.from([many, many]), Row, { maxBytes: 400 }))).toBe(
      'ERR_BOUNDARY_TOO_LARGE',
    );
    expect(await refusal(importCsv('__proto__,name\nx,y\n', Row))).toBe(
      'ERR_BOUNDARY_CSV_MALFORMED',
    );
    expect(await refusal(importCsv('email,email\nx,y\n', Row))).toBe('ERR_BOUNDARY_CSV_MALFORMED');
  });

  it('turns an unreadable record into a row error and misuse into TypeErrors', async () => {
    const result = await importCsv('email,name\na"b,y\nada@example.com,Ada\n', Row);
    expect(result.rows).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ row: 1, code: 'ERR_BOUNDARY_CSV_RECORD_INVALID' });
    await expect(importCsv('a', {} as never)).rejects.toThrow(TypeError);
    await expect(importCsv('a', Row, { delimiter: '"' })).rejects.toThrow(TypeError);
  });
});
