import { invalidArgument } from '@portcullis/core';

/**
 * Characters that make a spreadsheet read a cell as a formula: `=`, `+`, `-`, `@`, tab and CR
 * (OWASP's list), and their full-width forms, which some spreadsheet apps fold to ASCII.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** What a CSV cell may hold. `null` and `undefined` become an empty cell. */
export type CsvValue = string | number | boolean | bigint | Date | null | undefined;

/** Whether a text cell would be read as a formula by a spreadsheet (plain numbers are not). */
export function isFormula(text: string): boolean {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text);
}

/**
 * Turns a value into the text of one CSV cell that a spreadsheet will not run: text starting
 * with `=`, `+`, `-`, `@`, a tab or a CR (or a full-width `＝＋－＠`) gets a leading `'`, so
 * Excel, LibreOffice and Google Sheets show it as text (OWASP's CSV-injection advice). Text that
 * is a plain number (`-5`, `+3.2e4`) is left as it is. Numbers, booleans and bigints are written
 * as they are, dates as ISO 8601. Quoting for the CSV syntax itself is `exportCsv`'s job.
 *
 * @example
 * ```ts
 * import { sanitize } from '@portcullis/boundary';
 * sanitize.csvCell('=HYPERLINK("https://evil.example","Click")'); // '\'=HYPERLINK(…)'
 * sanitize.csvCell('-5'); // '-5'
 * ```
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value !== 'string')
    throw invalidArgument('value', 'a string, number, boolean, bigint, Date or null');
  return isFormula(value) ? `'${value}` : value;
}
