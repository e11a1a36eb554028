/**
 * A copy of an error that keeps what an operator needs (name, message, `code`, `status`, stack
 * frames, and the same of its `cause` chain) and drops everything else: response objects, parsed
 * bodies, `error_description`, headers, request details. A server or WAF that echoes the request
 * (with the client secret in it) into its error answer cannot put the secret into any rendering.
 */
export class SafeCause extends Error {
  readonly code: string | undefined;
  readonly status: number | undefined;

  constructor(name: string, message: string, code: string | undefined, status: number | undefined) {
    super(message);
    this.name = name;
    this.code = code;
    this.status = status;
  }
}

const MAX_DEPTH = 4;
const MAX_MESSAGE = 300;

/**
 * `error` reduced to a {@link SafeCause}, or undefined when it is not an `Error`. The message is
 * kept (openid-client and the network write fixed texts), cut at 300 characters; a `cause` that
 * is not an `Error` (openid-client puts the parsed error body there) is dropped.
 */
export function safeCause(error: unknown, depth = 0): SafeCause | undefined {
  if (!(error instanceof Error) || depth >= MAX_DEPTH) return undefined;
  const { code, status } = error as { code?: unknown; status?: unknown };
  const safe = new SafeCause(
    error.name,
    error.message.slice(0, MAX_MESSAGE),
    typeof code === 'string' ? code : undefined,
    typeof status === 'number' ? status : undefined,
  );
  const frames = error.stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? [];
  safe.stack = [`${safe.name}: ${safe.message}`, ...frames].join('\n');
  const inner = safeCause(error.cause, depth + 1);
  if (inner !== undefined) safe.cause = inner;
  return safe;
}
