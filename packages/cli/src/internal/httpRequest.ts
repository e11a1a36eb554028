import { CliError } from '../errors/CliError.ts';

/** A raw HTTP/1.x request read from a file: its target, headers and exact body bytes. */
export interface ParsedRequest {
  method: string;
  /** The request target as written (`/webhooks?x=1`, or an absolute URL). */
  target: string;
  /** Header names in lower case; a header sent twice keeps both values. */
  headers: Record<string, string | string[]>;
  body: Uint8Array;
}

const malformed = (why: string): CliError =>
  new CliError('ERR_CLI_REQUEST_MALFORMED', `The request file ${why}.`);

/** Index of the blank line ending the head (`\r\n\r\n` or `\n\n`), and the separator's length. */
function headEnd(bytes: Uint8Array): [number, number] | undefined {
  for (let i = 0; i < bytes.length - 1; i++) {
    if (bytes[i] === 10 && bytes[i + 1] === 10) return [i, 2];
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10)
      return [i, 4];
  }
  return undefined;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Parses a raw HTTP/1.x request (as `curl --trace`, a proxy capture or `webhook sign --http`
 * writes it): the request line, headers, a blank line, then the body, taken byte for byte.
 * `Content-Length`, when present, must not exceed the bytes there; bytes past it are dropped.
 * Chunked bodies and folded header lines are refused (`ERR_CLI_REQUEST_MALFORMED`).
 */
export function parseHttpRequest(bytes: Uint8Array): ParsedRequest {
  const end = headEnd(bytes);
  if (end === undefined) throw malformed('has no blank line after its headers');
  const head = Buffer.from(bytes.subarray(0, end[0])).toString('latin1');
  let body = bytes.subarray(end[0] + end[1]);
  const lines = head.split(/\r?\n/);
  const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/.exec(lines[0] ?? '');
  if (requestLine === null)
    throw malformed('does not start with a request line (POST /path HTTP/1.1)');
  const headers: Record<string, string | string[]> = {};
  for (const [i, line] of lines.slice(1).entries()) {
    if (/^[ \t]/.test(line)) throw malformed(`folds a header over line ${i + 2}`);
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw malformed(`has no header name on line ${i + 2}`);
    const value = line.slice(colon + 1).trim();
    const prior = headers[name];
    headers[name] =
      prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  if (headers['transfer-encoding'] !== undefined)
    throw malformed('uses Transfer-Encoding (give the plain body)');
  const length = headers['content-length'];
  if (length !== undefined) {
    if (Array.isArray(length) || !/^\d{1,12}$/.test(length))
      throw malformed('has an unreadable Content-Length');
    const n = Number(length);
    if (n > body.length) throw malformed(`declares ${n} body bytes but holds ${body.length}`);
    body = body.subarray(0, n);
  }
  return {
    method: requestLine[1] as string,
    target: requestLine[2] as string,
    headers,
    body: new Uint8Array(body),
  };
}

/** `-H 'name: value'` flags as a header record (a name given twice keeps both values). */
export function parseHeaderFlags(flags: readonly string[]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const flag of flags) {
    const colon = flag.indexOf(':');
    const name = flag.slice(0, colon).trim().toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) {
      throw new CliError('ERR_CLI_USAGE', 'A -H header must be written "name: value".');
    }
    const value = flag.slice(colon + 1).trim();
    const prior = headers[name];
    headers[name] =
      prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return headers;
}
