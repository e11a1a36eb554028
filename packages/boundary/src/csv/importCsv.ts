import { Readable } from 'node:stream';
import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { type CsvError, parse } from 'csv-parse';
import {
  BoundaryError,
  type BoundaryErrorCode,
  type BoundaryIssue,
} from '../errors/BoundaryError.ts';
import { type BoundarySchema, isSchema, validate } from '../internal/validate.ts';
import { DEFAULTS } from '../options.ts';
import { isFormula } from '../sanitize/csvCell.ts';
import { sanitizeText } from '../sanitize/text.ts';

/** What {@link importCsv} reads: the whole file, or a stream of chunks (a Node `Readable`, a web `ReadableStream`). */
export type CsvInput = string | Uint8Array | AsyncIterable<string | Uint8Array>;

/** Options of {@link importCsv}. */
export interface ImportCsvOptions {
  /** Largest input, in bytes. Over it: `ERR_BOUNDARY_TOO_LARGE`. Default: 10 485 760 (10 MiB). */
  maxBytes?: number;
  /** Most data rows. More: `ERR_BOUNDARY_CSV_TOO_MANY_ROWS`. Default: 100 000. */
  maxRows?: number;
  /** Most row errors kept (the rest are counted in `errorCount`). Default: 100. */
  maxErrors?: number;
  /** Largest single record, in characters (csv-parse's `max_record_size`). Default: 65 536. */
  maxRecordBytes?: number;
  /** The field delimiter, one character. Default: `','`. */
  delimiter?: string;
  /**
   * Cells that a spreadsheet would run as formulas (`=`, `+`, `-`, `@`, tab, CR first; plain
   * numbers excepted): `'refuse'` the row (`ERR_BOUNDARY_CSV_FORMULA`) or `'allow'` them (and
   * neutralise at export). Default: `'refuse'`.
   */
  formulas?: 'refuse' | 'allow';
  /** Pass every cell through `sanitize.text` (NFC, controls and bidi overrides removed) before the schema. Default: `true`. */
  sanitizeText?: boolean;
  /** Column names, when the file has no header row. Default: the first row is the header. */
  columns?: readonly string[];
}

/** One refused row: its number, the code saying why, and the issues (never the row's content). */
export interface CsvRowError {
  /** The data row, counted from 1 (the header row is not counted). */
  readonly row: number;
  /** The line of the file where the row ends, counted from 1. */
  readonly line: number;
  /** Why: `ERR_BOUNDARY_SCHEMA_MISMATCH`, `ERR_BOUNDARY_CSV_FORMULA` or `ERR_BOUNDARY_CSV_RECORD_INVALID`. */
  readonly code: BoundaryErrorCode;
  /** Where in the row and what was expected (column names as path). */
  readonly issues: readonly BoundaryIssue[];
}

/** What {@link importCsv} returns. */
export interface CsvImport<T> {
  /** The rows that passed, as the schema output them, in file order. */
  readonly rows: T[];
  /** The first `maxErrors` refused rows. */
  readonly errors: CsvRowError[];
  /** How many rows were refused in all. */
  readonly errorCount: number;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

function malformed(line: number, what: string): BoundaryError {
  return new BoundaryError(
    'ERR_BOUNDARY_CSV_MALFORMED',
    `The CSV cannot be read at line ${line}: ${what}.`,
  );
}

function resolveImport(options: ImportCsvOptions | undefined) {
  return resolveOptions<ImportCsvOptions, Omit<typeof DEFAULTS.csv, 'header'>>(
    'options',
    options,
    {
      maxBytes: DEFAULTS.csv.maxBytes,
      maxRows: DEFAULTS.csv.maxRows,
      maxErrors: DEFAULTS.csv.maxErrors,
      maxRecordBytes: DEFAULTS.csv.maxRecordBytes,
      delimiter: DEFAULTS.csv.delimiter,
      formulas: DEFAULTS.csv.formulas,
      sanitizeText: DEFAULTS.csv.sanitizeText,
    },
    {
      maxBytes: rules.integer(),
      maxRows: rules.integer(),
      maxErrors: rules.integer({ min: 0 }),
      maxRecordBytes: rules.integer(),
      delimiter: rules.custom((value, path) => {
        if (typeof value !== 'string' || value.length !== 1 || /["\r\n]/.test(value)) {
          throw invalidArgument(path, 'one character other than a quote or a line break');
        }
        return value;
      }),
      formulas: rules.oneOf(['refuse', 'allow'] as const),
      sanitizeText: rules.boolean(),
      columns: rules.optional(
        rules.custom((value, path) => {
          if (!Array.isArray(value) || !value.every((c) => typeof c === 'string')) {
            throw invalidArgument(path, 'an array of strings');
          }
          return value as readonly string[];
        }),
      ),
    },
  );
}

async function* bounded(input: CsvInput, maxBytes: number): AsyncGenerator<string | Uint8Array> {
  const tooLarge = () =>
    new BoundaryError('ERR_BOUNDARY_TOO_LARGE', `The CSV is larger than ${maxBytes} bytes.`);
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
    if (size > maxBytes) throw tooLarge();
    yield input;
    return;
  }
  let total = 0;
  for await (const chunk of input) {
    total += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (total > maxBytes) throw tooLarge();
    yield chunk;
  }
}

function header(names: readonly string[], line: number): string[] {
  const seen = new Set<string>();
  return names.map((raw) => {
    const name = sanitizeText(raw, { newlines: false }).trim();
    if (name === '' || FORBIDDEN.has(name) || seen.has(name)) {
      throw malformed(line, 'the header has an empty, duplicate or forbidden column name');
    }
    seen.add(name);
    return name;
  });
}

/**
 * Imports CSV through a maintained streaming parser (`csv-parse`): each row is cleaned
 * (`sanitize.text`), checked for spreadsheet formulas, and validated against `rowSchema` (zod or
 * any Standard Schema). Returns the good rows and numbered errors for the others (bounded by
 * `maxErrors`), so one bad row never loses the file. Input that cannot be read as CSV at all, is
 * too large or has too many rows is a thrown `BoundaryError`. Messages and issues name rows,
 * lines and columns, never cell contents.
 *
 * @example
 * ```ts
 * import { importCsv } from '@portcullis/boundary';
 * import { z } from 'zod';
 *
 * const row = z.object({ email: z.email(), name: z.string().max(100) });
 * const { rows, errors } = await importCsv('email,name\nada@example.com,Ada\nbad,=1+1\n', row);
 * // rows: [{ email: 'ada@example.com', name: 'Ada' }]; errors: [{ row: 2, line: 3, code: 'ERR_BOUNDARY_CSV_FORMULA', … }]
 * ```
 */
export async function importCsv<S extends BoundarySchema>(
  input: CsvInput,
  rowSchema: S,
  options?: ImportCsvOptions,
): Promise<CsvImport<StandardSchemaV1.InferOutput<S>>> {
  if (!isSchema(rowSchema)) throw invalidArgument('rowSchema', 'a zod or Standard Schema schema');
  const o = resolveImport(options);
  const rows: StandardSchemaV1.InferOutput<S>[] = [];
  const errors: CsvRowError[] = [];
  let errorCount = 0;
  const fail = (row: number, line: number, code: BoundaryErrorCode, issues: BoundaryIssue[]) => {
    errorCount++;
    if (errors.length < o.maxErrors) errors.push({ row, line, code, issues });
  };
  let columns = o.columns === undefined ? undefined : header(o.columns, 0);
  let row = 0;
  const skipped: number[] = [];
  const parser = parse({
    delimiter: o.delimiter,
    bom: true,
    info: true,
    skip_empty_lines: true,
    max_record_size: o.maxRecordBytes,
    skip_records_with_error: true,
    relax_column_count: true,
    // The parser reports an unreadable record ahead of the records still buffered: its line is
    // queued and it is numbered in file order as the records before it are consumed.
    on_skip: (error: CsvError | undefined) => {
      const lines = (error as { lines?: unknown } | undefined)?.lines;
      skipped.push(typeof lines === 'number' ? lines : Number.MAX_SAFE_INTEGER);
    },
  });
  const drainSkipped = (before: number) => {
    while (skipped.length > 0 && (skipped[0] as number) < before) {
      const line = skipped.shift() as number;
      row++;
      fail(row, line === Number.MAX_SAFE_INTEGER ? 0 : line, 'ERR_BOUNDARY_CSV_RECORD_INVALID', [
        { path: [], expected: 'a readable record' },
      ]);
    }
  };
  const source = Readable.from(bounded(input, o.maxBytes));
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const { record, info } = item;
      if (columns !== undefined) drainSkipped(info.lines);
      if (columns === undefined) {
        columns = header(record, info.lines);
        continue;
      }
      if (++row > o.maxRows) {
        throw new BoundaryError(
          'ERR_BOUNDARY_CSV_TOO_MANY_ROWS',
          `The CSV has more than ${o.maxRows} rows.`,
        );
      }
      if (record.length !== columns.length) {
        fail(row, info.lines, 'ERR_BOUNDARY_CSV_RECORD_INVALID', [
          { path: [], expected: `${columns.length} fields` },
        ]);
        continue;
      }
      const value: Record<string, string> = {};
      const formulas: BoundaryIssue[] = [];
      for (let i = 0; i < columns.length; i++) {
        const name = columns[i] as string;
        const cell = o.sanitizeText ? sanitizeText(record[i] as string) : (record[i] as string);
        if (o.formulas === 'refuse' && isFormula(cell))
          formulas.push({ path: [name], expected: 'no spreadsheet formula' });
        value[name] = cell;
      }
      if (formulas.length > 0) {
        fail(row, info.lines, 'ERR_BOUNDARY_CSV_FORMULA', formulas);
        continue;
      }
      const result = validate(rowSchema, value, DEFAULTS.boundary.maxIssues);
      if (result.ok) rows.push(result.value as StandardSchemaV1.InferOutput<S>);
      else fail(row, info.lines, result.error.code, [...result.error.issues]);
    }
  } catch (error) {
    source.destroy();
    parser.destroy();
    if (error instanceof BoundaryError) throw error;
    const code = (error as { code?: unknown }).code;
    const lines = (error as { lines?: unknown }).lines;
    if (typeof code === 'string' && code.startsWith('CSV_')) {
      throw malformed(
        typeof lines === 'number' ? lines : 0,
        code.toLowerCase().replaceAll('_', ' '),
      );
    }
    throw error;
  }
  drainSkipped(Number.POSITIVE_INFINITY);
  if (row > o.maxRows) {
    throw new BoundaryError(
      'ERR_BOUNDARY_CSV_TOO_MANY_ROWS',
      `The CSV has more than ${o.maxRows} rows.`,
    );
  }
  return { rows, errors, errorCount };
}
