import { isPortcullisError, PortcullisError, type PortcullisErrorOptions } from '@portcullis/core';

/** The stable codes an {@link AuditError} carries. */
export type AuditErrorCode =
  | 'ERR_AUDIT_ENTRY_REFUSED'
  | 'ERR_AUDIT_BACKPRESSURE'
  | 'ERR_AUDIT_SINK_FAILED'
  | 'ERR_AUDIT_CLOSED';

const STATUS: Record<AuditErrorCode, number> = {
  ERR_AUDIT_ENTRY_REFUSED: 500,
  ERR_AUDIT_BACKPRESSURE: 503,
  ERR_AUDIT_SINK_FAILED: 503,
  ERR_AUDIT_CLOSED: 500,
};

/** Options of an {@link AuditError} beyond the base ones. */
export interface AuditErrorOptions extends PortcullisErrorOptions {
  /** For `ERR_AUDIT_ENTRY_REFUSED`: the field refused (its name, never its value). */
  field?: string;
}

/**
 * An audit entry was refused, or the trail could not be written.
 *
 * | code | meaning |
 * | --- | --- |
 * | `ERR_AUDIT_ENTRY_REFUSED` | the entry has an unknown field, a value too long, or one that looks like a payload or a secret (`field` names it) |
 * | `ERR_AUDIT_BACKPRESSURE` | the sink is failing and `maxBufferedEntries` are waiting: refused rather than dropped |
 * | `ERR_AUDIT_SINK_FAILED` | a flush failed; the batch stays buffered, in order, and is retried |
 * | `ERR_AUDIT_CLOSED` | `record` after `close()` |
 *
 * @example
 * ```ts
 * import { AuditError, isAuditError } from '@portcullis/audit';
 * isAuditError(new AuditError('ERR_AUDIT_CLOSED', 'The audit log is closed.')); // true
 * ```
 */
export class AuditError extends PortcullisError {
  declare readonly code: AuditErrorCode;
  /** For `ERR_AUDIT_ENTRY_REFUSED`: which field. */
  readonly field: string | undefined;
  override name = 'AuditError';

  constructor(code: AuditErrorCode, message: string, options: AuditErrorOptions = {}) {
    const { field, ...base } = options;
    super(code, message, { status: STATUS[code], ...base });
    this.field = field;
  }
}

/**
 * Whether `value` is an {@link AuditError} (optionally with `code`), by brand and code prefix.
 *
 * @example
 * ```ts
 * import { isAuditError } from '@portcullis/audit';
 * isAuditError(new Error('x')); // false
 * ```
 */
export function isAuditError(value: unknown, code?: AuditErrorCode): value is AuditError {
  return (
    isPortcullisError(value, code) && (value as { code: string }).code.startsWith('ERR_AUDIT_')
  );
}
