import { BoundaryError } from '../errors/BoundaryError.ts';
import { checkTree, quoteColons } from '../internal/checkParsed.ts';
import { scanJson } from '../internal/scanJson.ts';
import { type Limits, type ResolvedLimits, resolveLimits } from '../options.ts';

/** What {@link parseJson} reads: text, or bytes that must be UTF-8. */
export type JsonInput = string | Uint8Array | ArrayBuffer;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function tooLarge(maxBytes: number): BoundaryError {
  return new BoundaryError('ERR_BOUNDARY_TOO_LARGE', `The input is larger than ${maxBytes} bytes.`);
}

/** The input as text, refusing it when it is over `maxBytes` or not UTF-8. */
function toText(input: JsonInput, maxBytes: number): string {
  if (typeof input === 'string') {
    // A UTF-16 code unit is 1 to 3 UTF-8 bytes: count bytes only when the length cannot decide.
    if (input.length > maxBytes) throw tooLarge(maxBytes);
    if (input.length * 3 > maxBytes && Buffer.byteLength(input, 'utf8') > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return input;
  }
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError('parseJson reads a string, a Uint8Array or an ArrayBuffer.');
  }
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new BoundaryError('ERR_BOUNDARY_ENCODING', 'The input is not valid UTF-8.');
  }
}

function duplicateKey(): BoundaryError {
  return new BoundaryError(
    'ERR_BOUNDARY_DUPLICATE_KEY',
    'An object in the input holds the same key twice.',
  );
}

/**
 * Parses text already known to be within the byte limit; shared with `defineBoundary`.
 *
 * Duplicate keys: JSON.parse keeps the last of two equal keys silently. In text where
 * there is no backslash and no colon follows whitespace, each `":` is either a key's closing quote and its colon, or the
 * opening quote of a string whose first character is a colon; so `count('":')` equals the keys of
 * the document plus the strings that start with `:`. The walk counts own keys and such strings; a
 * duplicate removes a key (and the strings of the value it displaced), so the two then differ.
 * Other text takes the slower path: a scan that counts the document's keys directly (and checks
 * the limits before JSON.parse allocates anything).
 */
export function parseText(text: string, limits: ResolvedLimits): unknown {
  // Without a backslash no key needs decoding: counting `":` finds a duplicate. With one, every
  // key is decoded here too and the parsed tree must hold exactly those keys: V8 in Node 24.21
  // (fixed in 24.22) could read an escaped key as another key an earlier parse had seen
  // (`{"a":1,"\\u0062":2}` as `{"a":1,"\\\\":2}`), which no count would notice.
  const plain = text.indexOf('\\') === -1;
  const colons = plain ? quoteColons(text) : -1;
  const keyBag = plain ? undefined : new Map<string, number>();
  const documentKeys = colons === -1 ? scanJson(text, limits, keyBag) : -1;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's message quotes part of the input: it is neither kept nor passed on as `cause`.
    throw new BoundaryError('ERR_BOUNDARY_MALFORMED_JSON', 'The input is not valid JSON.');
  }
  const counts = checkTree(value, limits, keyBag);
  if (typeof value !== 'object' || value === null) return value;
  if (counts.disagrees) {
    throw new BoundaryError(
      'ERR_BOUNDARY_MALFORMED_JSON',
      "The input could not be read unambiguously: the JSON parser's keys differ from the text's.",
    );
  }
  if (
    colons === -1 ? counts.keys !== documentKeys : counts.keys + counts.leadingColons !== colons
  ) {
    throw duplicateKey();
  }
  return value;
}

/**
 * Parses untrusted JSON with every limit on by default: bytes, nesting depth, keys per object,
 * array length and string length (see {@link Limits} and `DEFAULTS.limits`). `__proto__`,
 * `constructor` and `prototype` keys are refused (or dropped, by option), a key repeated in one
 * object is refused (`JSON.parse` keeps the last one silently), and integers beyond
 * ±(2^53 - 1) are refused rather than rounded. Bytes must be UTF-8 (a BOM is skipped).
 *
 * Limits are checked in one pass over the text before `JSON.parse` builds anything, so a hostile
 * document costs a scan, not an allocation. Everything refused is a {@link BoundaryError} whose
 * message never quotes the input. Pass the same `limits` object on each call: it is validated
 * once and cached.
 *
 * @param input JSON text, or its UTF-8 bytes.
 * @param limits overrides of `DEFAULTS.limits`, field by field.
 * @example
 * ```ts
 * import { parseJson } from '@portcullis/boundary';
 * const limits = { maxBytes: 64 * 1024, maxDepth: 16 };
 * const event = parseJson('{"type":"invoice.paid","amount":4200}', limits);
 * ```
 */
export function parseJson(input: JsonInput, limits?: Limits): unknown {
  const resolved = resolveLimits(limits);
  return parseText(toText(input, resolved.maxBytes), resolved);
}

export { toText };
