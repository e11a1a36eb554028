/** What an `Authorization` header (or a bare token) holds, read as RFC 6750 §2.1 writes it. */
export type ParsedAuthorization =
  /** No credentials: absent, blank, or another scheme (`Basic …`): answered without an error code. */
  | { kind: 'missing' }
  /** `Bearer` with no token, or a token outside the `b64token` grammar: `400 invalid_request`. */
  | { kind: 'malformed' }
  | { kind: 'token'; token: string };

/** `b64token` (RFC 6750 §2.1). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** An auth-scheme (RFC 9110 token) followed by whitespace or the end. */
const SCHEME = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)(?:[ \t]+([\s\S]*))?$/;

/** Reads a header value or a bare token. */
export function parseAuthorization(input: string | null | undefined): ParsedAuthorization {
  if (input === undefined || input === null) return { kind: 'missing' };
  const value = input.trim();
  if (value === '') return { kind: 'missing' };
  const scheme = SCHEME.exec(value);
  if (scheme !== null && scheme[2] !== undefined) {
    if (scheme[1]?.toLowerCase() !== 'bearer') return { kind: 'missing' }; // another scheme
    const token = scheme[2];
    return B64TOKEN.test(token) ? { kind: 'token', token } : { kind: 'malformed' };
  }
  if (/^bearer$/i.test(value)) return { kind: 'malformed' };
  // A bare token (no scheme): it must be a b64token too.
  return B64TOKEN.test(value) ? { kind: 'token', token: value } : { kind: 'malformed' };
}
