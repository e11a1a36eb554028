export { type ExportCsvOptions, exportCsv } from './csv/exportCsv.ts';
export {
  type CsvImport,
  type CsvInput,
  type CsvRowError,
  type ImportCsvOptions,
  importCsv,
} from './csv/importCsv.ts';
export { minimize } from './egress/minimize.ts';
export {
  BoundaryError,
  type BoundaryErrorCode,
  type BoundaryErrorOptions,
  type BoundaryIssue,
  isBoundaryError,
} from './errors/BoundaryError.ts';
export type { BoundarySchema } from './internal/validate.ts';
export { type JsonInput, parseJson } from './json/parseJson.ts';
export { DEFAULTS, type Limits } from './options.ts';
export {
  type ProblemDetails,
  type ProblemOptions,
  toProblemDetails,
} from './problem/toProblemDetails.ts';
export { type RedactRules, redact } from './redact/redact.ts';
export type { CsvValue } from './sanitize/csvCell.ts';
export type { EmailOptions } from './sanitize/email.ts';
export type { IdentifierOptions } from './sanitize/identifier.ts';
export { sanitize } from './sanitize/sanitize.ts';
export type { TextOptions } from './sanitize/text.ts';
export {
  type Boundary,
  type BoundaryOptions,
  type BoundaryResult,
  defineBoundary,
} from './schema/defineBoundary.ts';
