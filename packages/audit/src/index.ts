export { type AuditLogOptions, DEFAULTS } from './AuditLogOptions.ts';
export { type AuditLog, createAuditLog } from './createAuditLog.ts';
export type { AuditEntry, AuditOutcome } from './entry.ts';
export {
  AuditError,
  type AuditErrorCode,
  type AuditErrorOptions,
  isAuditError,
} from './errors/AuditError.ts';
export type { ChainHead } from './internal/line.ts';
export type { AuditLine, AuditSink } from './sinks/AuditSink.ts';
export { JSONL_DEFAULTS, JsonlSink, type JsonlSinkOptions } from './sinks/JsonlSink.ts';
export {
  type AuditQueryable,
  PostgresSink,
  type PostgresSinkOptions,
} from './sinks/PostgresSink.ts';
export { StdoutSink } from './sinks/StdoutSink.ts';
export {
  type ChainProblem,
  type ChainVerification,
  type VerifyChainOptions,
  verifyAuditChain,
} from './verifyAuditChain.ts';
