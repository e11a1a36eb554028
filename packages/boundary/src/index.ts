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
  type Boundary,
  type BoundaryOptions,
  type BoundaryResult,
  defineBoundary,
} from './schema/defineBoundary.ts';
