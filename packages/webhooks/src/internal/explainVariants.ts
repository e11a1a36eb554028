// What explain() tries when a signature does not match: the body and secret variants that usually
// explain a failure. Private to explain.

import type { SecretsOption } from '../types.ts';
import { type CheckContext, checkSignature, signedContent } from './checks.ts';
import type { CryptoBackend, Part } from './crypto/CryptoBackend.ts';
import { decodeBase64, utf8Bytes } from './encoding.ts';
import type { ParsedHeaders, SchemeSpec as Scheme } from './scheme.ts';
import { listSecrets, type PreparedKey } from './secrets.ts';

/** A changed body and why it would have changed. */
export interface Variant {
  body: Part;
  why: string;
}

/** JSON with `", "` and `": "` separators, as Python's `json.dumps` writes it by default. */
function spaced(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(spaced).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${spaced(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function bodyVariants(body: Part): Variant[] {
  const text =
    typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body);
  const out: Variant[] = [];
  const add = (candidate: string, why: string): void => {
    if (candidate !== text && !out.some((v) => v.body === candidate))
      out.push({ body: candidate, why });
  };
  if (text.endsWith('\n'))
    add(text.replace(/\r?\n$/, ''), 'a trailing newline was added to the body');
  else add(`${text}\n`, 'a trailing newline was removed from the body');
  if (text.includes('\r\n'))
    add(text.replace(/\r\n/g, '\n'), 'line endings were changed (LF to CRLF)');
  try {
    const value: unknown = JSON.parse(text);
    const why =
      'the body was parsed as JSON and serialised again (a body parser ran before verification)';
    add(JSON.stringify(value), why);
    add(JSON.stringify(value, null, 2), why);
    add(JSON.stringify(value, null, 4), why);
    add(JSON.stringify(value, null, '\t'), why);
    add(spaced(value), why);
  } catch {
    // Not JSON: no re-serialised variants.
  }
  return out;
}

/** The key that verifies `parsed` over `body` at `url` (the verifier's own signature check). */
export async function tryMatch(
  ctx: CheckContext,
  keys: readonly PreparedKey[],
  parsed: ParsedHeaders,
  body: Part,
  url: string | undefined,
): Promise<PreparedKey | undefined> {
  try {
    const parts = signedContent(ctx, parsed, body, url);
    return (await checkSignature(ctx, keys, parsed, parts, body, url))?.key;
  } catch {
    return undefined;
  }
}

export async function altKeys(
  backend: CryptoBackend,
  scheme: Scheme,
  secrets: SecretsOption,
): Promise<PreparedKey[]> {
  // The same secrets read the other ways people get wrong: text instead of base64, prefix kept or dropped.
  const out: PreparedKey[] = [];
  for (const [index, { secret, label }] of (await listSecrets(secrets)).entries()) {
    const stripped = secret.replace(/^wh(sec|sk|pk)_/, '');
    for (const bytes of [utf8Bytes(secret), utf8Bytes(stripped), decodeBase64(stripped)]) {
      if (bytes === undefined || bytes.length === 0) continue;
      out.push({
        index,
        label,
        kind: 'hmac',
        handle: backend.hmacKey(bytes, scheme.algorithm),
        matched: label === undefined ? { index } : { index, label },
      });
    }
  }
  return out;
}
