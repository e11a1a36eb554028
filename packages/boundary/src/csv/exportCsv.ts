import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { stringify } from 'csv-stringify/sync';
import { DEFAULTS } from '../options.ts';
import { type CsvValue, csvCell } from '../sanitize/csvCell.ts';

/** Options of {@link exportCsv}. */
export interface ExportCsvOptions {
  /** The columns, in order: keys of each row object. Default: the keys of the first row. */
  columns?: readonly string[];
  /** Write a header row of the column names. Default: `true` (`DEFAULTS.csv.header`). */
  header?: boolean;
  /** The field delimiter, one character. Default: `','` (`DEFAULTS.csv.delimiter`). */
  delimiter?: string;
}

/**
 * Writes rows as CSV (RFC 4180 quoting by `csv-stringify`) with every cell, header included,
 * passed through `sanitize.csvCell`: no cell a spreadsheet opens can run a formula.
 *
 * @example
 * ```ts
 * import { exportCsv } from '@portcullis/boundary';
 * const csv = exportCsv([{ name: '=cmd|" /C calc"!A0', amount: -5 }]);
 * // 'name,amount\n"\'=cmd|"" /C calc""!A0",-5\n'
 * ```
 */
export function exportCsv(
  rows: readonly Readonly<Record<string, CsvValue>>[],
  options?: ExportCsvOptions,
): string {
  if (!Array.isArray(rows)) throw invalidArgument('rows', 'an array of row objects');
  const { columns, header, delimiter } = resolveOptions<
    ExportCsvOptions,
    { header: typeof DEFAULTS.csv.header; delimiter: typeof DEFAULTS.csv.delimiter }
  >(
    'options',
    options,
    { header: DEFAULTS.csv.header, delimiter: DEFAULTS.csv.delimiter },
    {
      columns: rules.optional(
        rules.custom((value, path) => {
          if (!Array.isArray(value) || !value.every((c) => typeof c === 'string')) {
            throw invalidArgument(path, 'an array of strings');
          }
          return value as readonly string[];
        }),
      ),
      header: rules.boolean(),
      delimiter: rules.custom((value, path) => {
        if (typeof value !== 'string' || value.length !== 1 || /["\r\n]/.test(value)) {
          throw invalidArgument(path, 'one character other than a quote or a line break');
        }
        return value;
      }),
    },
  );
  const names = columns ?? Object.keys(rows[0] ?? {});
  const records: string[][] = header ? [names.map(csvCell)] : [];
  for (const row of rows)
    records.push(names.map((name) => csvCell(Object.hasOwn(row, name) ? row[name] : undefined)));
  return stringify(records, { delimiter, record_delimiter: 'unix' });
}
