import { isPortcullisError, resolveOptions, rules } from '@portcullis/core';
import type { BoundaryIssue } from '../errors/BoundaryError.ts';
import { isBoundaryError } from '../errors/BoundaryError.ts';
import { DEFAULTS } from '../options.ts';

/** An RFC 9457 problem details object, with Portcullis' `code` (and `issues`) as extension members. */
export interface ProblemDetails {
  /** A URI naming the problem type; `about:blank` by default (then `title` is the status phrase). */
  type: string;
  /** A short, human-readable summary of the problem type. */
  title: string;
  /** The HTTP status code. */
  status: number;
  /** A human-readable explanation of this occurrence, safe to show (absent for 5xx). */
  detail?: string;
  /** The stable error code: `ERR_…`, or `ERR_INTERNAL` for an error that is not a Portcullis one. */
  code: string;
  /** For boundary refusals: where and what was expected (never the values). */
  issues?: readonly BoundaryIssue[];
  /** A URI for this occurrence, when given. */
  instance?: string;
}

/** Options of {@link toProblemDetails}. */
export interface ProblemOptions {
  /**
   * The `type` member: `'about:blank'`, or a base URI to which the lower-cased code is
   * appended (`'https://errors.example.com/'` → `https://errors.example.com/err_boundary_too_deep`).
   * Default: `'about:blank'`.
   */
  type?: string;
  /** The `instance` member (e.g. the request path or a request id). Default: none. */
  instance?: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function statusOf(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599
    ? value
    : 500;
}

/**
 * Turns any thrown value into an RFC 9457 problem details object to send to a caller
 * (`Content-Type: application/problem+json`). A Portcullis error gives its `status` (500 when it
 * has none), its stable `code` and, below 500, its message as `detail` (Portcullis messages are
 * written to be shown); `BoundaryError` issues are included. A 5xx carries no detail, and
 * anything that is not a Portcullis error becomes a generic 500 `ERR_INTERNAL`: no message, stack,
 * `cause` or property of the original ever reaches the output.
 *
 * @example
 * ```ts
 * import { parseJson, toProblemDetails } from '@portcullis/boundary';
 * try {
 *   parseJson('{"a":1,"a":2}');
 * } catch (error) {
 *   const problem = toProblemDetails(error, { instance: '/webhooks/stripe' });
 *   // { type: 'about:blank', title: 'Bad Request', status: 400, code: 'ERR_BOUNDARY_DUPLICATE_KEY', detail: '…', instance: '/webhooks/stripe' }
 * }
 * ```
 */
export function toProblemDetails(error: unknown, options?: ProblemOptions): ProblemDetails {
  const { type, instance } = resolveOptions<ProblemOptions, typeof DEFAULTS.problem>(
    'options',
    options,
    DEFAULTS.problem,
    { type: rules.string(), instance: rules.optional(rules.string()) },
  );
  const known = isPortcullisError(error) && /^ERR_[A-Z0-9_]{1,80}$/.test(String(error.code));
  const status = known ? statusOf(error.status) : 500;
  const code = known ? error.code : 'ERR_INTERNAL';
  const problem: ProblemDetails = {
    type: type === 'about:blank' ? type : `${type}${code.toLowerCase()}`,
    title: TITLES[status] ?? (status < 500 ? 'Client Error' : 'Server Error'),
    status,
    code,
  };
  if (known && status < 500 && typeof error.message === 'string') problem.detail = error.message;
  if (known && status < 500 && isBoundaryError(error) && error.issues.length > 0) {
    problem.issues = error.issues.map((i) => ({ path: [...i.path], expected: i.expected }));
  }
  if (instance !== undefined) problem.instance = instance;
  return problem;
}
