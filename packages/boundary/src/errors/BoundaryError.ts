import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes a {@link BoundaryError} carries. Match on these, never on messages. */
export type BoundaryErrorCode =
  | 'ERR_BOUNDARY_TOO_LARGE'
  | 'ERR_BOUNDARY_ENCODING'
  | 'ERR_BOUNDARY_MALFORMED_JSON'
  | 'ERR_BOUNDARY_TOO_DEEP'
  | 'ERR_BOUNDARY_TOO_MANY_KEYS'
  | 'ERR_BOUNDARY_ARRAY_TOO_LONG'
  | 'ERR_BOUNDARY_STRING_TOO_LONG'
  | 'ERR_BOUNDARY_FORBIDDEN_KEY'
  | 'ERR_BOUNDARY_DUPLICATE_KEY'
  | 'ERR_BOUNDARY_UNSAFE_INTEGER'
  | 'ERR_BOUNDARY_SCHEMA_MISMATCH'
  | 'ERR_BOUNDARY_SCHEMA_ASYNC'
  | 'ERR_BOUNDARY_INVALID_IDENTIFIER'
  | 'ERR_BOUNDARY_INVALID_EMAIL'
  | 'ERR_BOUNDARY_CSV_MALFORMED'
  | 'ERR_BOUNDARY_CSV_RECORD_INVALID'
  | 'ERR_BOUNDARY_CSV_FORMULA'
  | 'ERR_BOUNDARY_CSV_TOO_MANY_ROWS';

const STATUS: Record<BoundaryErrorCode, number> = {
  ERR_BOUNDARY_TOO_LARGE: 413,
  ERR_BOUNDARY_ENCODING: 400,
  ERR_BOUNDARY_MALFORMED_JSON: 400,
  ERR_BOUNDARY_TOO_DEEP: 400,
  ERR_BOUNDARY_TOO_MANY_KEYS: 400,
  ERR_BOUNDARY_ARRAY_TOO_LONG: 400,
  ERR_BOUNDARY_STRING_TOO_LONG: 400,
  ERR_BOUNDARY_FORBIDDEN_KEY: 400,
  ERR_BOUNDARY_DUPLICATE_KEY: 400,
  ERR_BOUNDARY_UNSAFE_INTEGER: 400,
  ERR_BOUNDARY_SCHEMA_MISMATCH: 422,
  ERR_BOUNDARY_SCHEMA_ASYNC: 500,
  ERR_BOUNDARY_INVALID_IDENTIFIER: 422,
  ERR_BOUNDARY_INVALID_EMAIL: 422,
  ERR_BOUNDARY_CSV_MALFORMED: 400,
  ERR_BOUNDARY_CSV_RECORD_INVALID: 422,
  ERR_BOUNDARY_CSV_FORMULA: 422,
  ERR_BOUNDARY_CSV_TOO_MANY_ROWS: 413,
};

/**
 * One reason a value was refused: where (`path`, keys and indexes from the root) and what kind of
 * value was expected there (`expected`: a type or format name such as `'string'`, `'email'`,
 * `'at most 64 characters'`, `'no unknown key'`). Never the offending value, never an expected
 * literal.
 */
export interface BoundaryIssue {
  /** Keys and array indexes from the root to the refused value; `[]` for the root itself. */
  readonly path: readonly (string | number)[];
  /** What kind of value was expected there, as a short phrase safe to show a caller. */
  readonly expected: string;
}

/** Options of a {@link BoundaryError} beyond the base ones. */
export interface BoundaryErrorOptions extends PortcullisErrorOptions {
  /** The issues found (at most `maxIssues` of them). Default: none. */
  issues?: readonly BoundaryIssue[];
  /** Whether more issues were found than `issues` holds. Default: `false`. */
  truncated?: boolean;
}

/**
 * External data was refused at the boundary. `code` says why (see {@link BoundaryErrorCode});
 * `status` is the HTTP status to answer with; `issues` lists where and what was expected, bounded.
 * Neither `message`, `issues` nor `cause` ever holds the refused input or an expected literal.
 *
 * | code | status | meaning |
 * | --- | --- | --- |
 * | `ERR_BOUNDARY_TOO_LARGE` | 413 | the input is over `maxBytes` |
 * | `ERR_BOUNDARY_ENCODING` | 400 | bytes that are not UTF-8 |
 * | `ERR_BOUNDARY_MALFORMED_JSON` | 400 | not JSON |
 * | `ERR_BOUNDARY_TOO_DEEP` | 400 | nested deeper than `maxDepth` |
 * | `ERR_BOUNDARY_TOO_MANY_KEYS` | 400 | an object with more than `maxKeys` keys |
 * | `ERR_BOUNDARY_ARRAY_TOO_LONG` | 400 | an array longer than `maxArrayLength` |
 * | `ERR_BOUNDARY_STRING_TOO_LONG` | 400 | a string longer than `maxStringLength` |
 * | `ERR_BOUNDARY_FORBIDDEN_KEY` | 400 | a `__proto__`, `constructor` or `prototype` key |
 * | `ERR_BOUNDARY_DUPLICATE_KEY` | 400 | the same key twice in one object |
 * | `ERR_BOUNDARY_UNSAFE_INTEGER` | 400 | an integer beyond ±(2^53 - 1), which JSON.parse rounds |
 * | `ERR_BOUNDARY_SCHEMA_MISMATCH` | 422 | the schema refused the value; see `issues` |
 * | `ERR_BOUNDARY_SCHEMA_ASYNC` | 500 | the schema validates asynchronously; use a synchronous one |
 * | `ERR_BOUNDARY_INVALID_IDENTIFIER` | 422 | not an identifier of the allowed alphabet and length |
 * | `ERR_BOUNDARY_INVALID_EMAIL` | 422 | not an email address of the allowed form |
 * | `ERR_BOUNDARY_CSV_MALFORMED` | 400 | CSV the parser cannot read (an unclosed quote, a bad or duplicate header) |
 * | `ERR_BOUNDARY_CSV_RECORD_INVALID` | 422 | one row: a wrong number of fields or a field over `maxRecordBytes` (a row error of `importCsv`) |
 * | `ERR_BOUNDARY_CSV_FORMULA` | 422 | one row: a cell that a spreadsheet would run as a formula (a row error of `importCsv`) |
 * | `ERR_BOUNDARY_CSV_TOO_MANY_ROWS` | 413 | more rows than `maxRows` |
 *
 * @example
 * ```ts
 * import { isBoundaryError, parseJson } from '@portcullis/boundary';
 * try {
 *   parseJson('{"__proto__": {"admin": true}}');
 * } catch (error) {
 *   if (isBoundaryError(error)) console.log(error.status, error.code); // 400 ERR_BOUNDARY_FORBIDDEN_KEY
 * }
 * ```
 */
export class BoundaryError extends PortcullisError {
  declare readonly code: BoundaryErrorCode;
  /** Where the input was refused and what was expected there; at most `maxIssues` entries. */
  readonly issues: readonly BoundaryIssue[];
  /** Whether more issues were found than `issues` holds. */
  readonly truncated: boolean;
  override name = 'BoundaryError';

  constructor(code: BoundaryErrorCode, message: string, options: BoundaryErrorOptions = {}) {
    const { issues = [], truncated = false, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.issues = issues;
    this.truncated = truncated;
  }
}

/**
 * Whether `value` is a {@link BoundaryError} (optionally with the given `code`). Matches by brand
 * and code prefix, so it still works when two copies of the package are installed.
 *
 * @example
 * ```ts
 * import { isBoundaryError } from '@portcullis/boundary';
 * isBoundaryError(new Error('x')); // false
 * ```
 */
export function isBoundaryError(value: unknown, code?: BoundaryErrorCode): value is BoundaryError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_BOUNDARY_')
  );
}
