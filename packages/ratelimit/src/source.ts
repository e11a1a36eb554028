// `@portcullis/ratelimit/source`: where a request comes from, and whether it may.
export {
  type ClientAddressOptions,
  clientAddress,
  type HeadersLike,
  type RequestSource,
} from './source/clientAddress.ts';
export {
  createSourceFilter,
  type SourceFilter,
  type SourceFilterOptions,
  type SourceLists,
} from './source/createSourceFilter.ts';
export { isSourceError, SourceError, type SourceErrorCode } from './source/SourceError.ts';
