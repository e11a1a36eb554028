// One pass over JSON text before `JSON.parse` sees it: nesting depth, keys per object, elements
// per array, string lengths and integer literals are checked here, so a hostile document is
// refused before any of it is built. Strings are skipped with `indexOf` (native speed); only
// structural characters and numbers are looked at one by one. Malformed text is left for
// `JSON.parse` to refuse: the scan never throws anything but a limit's BoundaryError.
import { BoundaryError } from '../errors/BoundaryError.ts';
import type { ResolvedLimits } from '../options.ts';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const MINUS = 45;
const COLON = 58;

// Per-depth state, reused across calls (grown when a larger maxDepth is configured).
let commas = new Int32Array(65);
let kinds = new Uint8Array(65);

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/** A refusal for a limit, naming the limit but never the input. */
export function limitError(
  code:
    | 'ERR_BOUNDARY_TOO_DEEP'
    | 'ERR_BOUNDARY_TOO_MANY_KEYS'
    | 'ERR_BOUNDARY_ARRAY_TOO_LONG'
    | 'ERR_BOUNDARY_STRING_TOO_LONG'
    | 'ERR_BOUNDARY_UNSAFE_INTEGER',
  limit: number,
): BoundaryError {
  const what = {
    ERR_BOUNDARY_TOO_DEEP: `The input is nested deeper than ${limit} levels.`,
    ERR_BOUNDARY_TOO_MANY_KEYS: `An object in the input has more than ${limit} keys.`,
    ERR_BOUNDARY_ARRAY_TOO_LONG: `An array in the input has more than ${limit} elements.`,
    ERR_BOUNDARY_STRING_TOO_LONG: `A string in the input is longer than ${limit} characters.`,
    ERR_BOUNDARY_UNSAFE_INTEGER:
      'The input holds a number beyond ±(2^53 - 1) or beyond the range of a double, which cannot be read exactly.',
  }[code];
  return new BoundaryError(code, what);
}

/** Index of the quote closing the string opened at `start`, or -1. */
function stringEnd(text: string, start: number, escapes: boolean): number {
  let end = text.indexOf('"', start + 1);
  if (!escapes) return end;
  while (end !== -1) {
    let slashes = 0;
    for (let k = end - 1; text.charCodeAt(k) === BACKSLASH; k--) slashes++;
    if ((slashes & 1) === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return end;
}

/** Whether the container closed at `close` is empty (`{}` or `[]`, maybe with spaces). */
function isEmpty(text: string, close: number): boolean {
  let k = close - 1;
  while (isSpace(text.charCodeAt(k))) k--;
  const c = text.charCodeAt(k);
  return c === OPEN_OBJECT || c === OPEN_ARRAY;
}

/**
 * Adds the key whose string literal spans `start`..`end` (quotes included) to `bag`, decoded here
 * and not by the object parser. A string literal alone is decoded without the object parser's
 * key shortcuts, so the bag is what the text says, whatever the engine's parser made of it.
 */
function addKey(text: string, start: number, end: number, bag: Map<string, number>): void {
  const raw = text.slice(start + 1, end);
  let key: string;
  if (raw.indexOf('\\') === -1) key = raw;
  else {
    try {
      key = JSON.parse(text.slice(start, end + 1)) as string;
    } catch {
      return; // a bad escape: JSON.parse refuses the document
    }
  }
  bag.set(key, (bag.get(key) ?? 0) + 1);
}

/**
 * Checks `text` against `limits` and returns how many object keys it holds in all (so a parse
 * that yields fewer own keys has met a duplicate). Throws a {@link BoundaryError} on a limit.
 * With `bag`, also counts every key of the text, decoded, into it.
 */
export function scanJson(text: string, limits: ResolvedLimits, bag?: Map<string, number>): number {
  const { maxDepth, maxKeys, maxArrayLength, maxStringLength } = limits;
  const checkIntegers = limits.unsafeIntegers === 'refuse';
  const escapes = text.indexOf('\\') !== -1;
  if (commas.length <= maxDepth) {
    commas = new Int32Array(maxDepth + 1);
    kinds = new Uint8Array(maxDepth + 1);
  }
  const n = text.length;
  let depth = 0;
  let keys = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i, escapes);
      if (end === -1) return keys; // unterminated: JSON.parse refuses it
      if (end - i - 1 > maxStringLength)
        throw limitError('ERR_BOUNDARY_STRING_TOO_LONG', maxStringLength);
      if (bag !== undefined) {
        let k = end + 1;
        while (isSpace(text.charCodeAt(k))) k++;
        if (text.charCodeAt(k) === COLON) addKey(text, i, end, bag);
      }
      i = end + 1;
    } else if (c === COMMA) {
      const count = ++commas[depth]!;
      if (kinds[depth] === 1 ? count >= maxKeys : count >= maxArrayLength) {
        throw kinds[depth] === 1
          ? limitError('ERR_BOUNDARY_TOO_MANY_KEYS', maxKeys)
          : limitError('ERR_BOUNDARY_ARRAY_TOO_LONG', maxArrayLength);
      }
      i++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) throw limitError('ERR_BOUNDARY_TOO_DEEP', maxDepth);
      commas[depth] = 0;
      kinds[depth] = c === OPEN_OBJECT ? 1 : 0;
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 0) return keys; // unbalanced: JSON.parse refuses it
      if (c === CLOSE_OBJECT && kinds[depth] === 1 && !isEmpty(text, i)) {
        keys += commas[depth]! + 1;
      }
      depth--;
      i++;
    } else if (checkIntegers && ((c >= 48 && c <= 57) || c === MINUS)) {
      let j = i + 1;
      let integer = true;
      let exponent = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d >= 48 && d <= 57) continue;
        if (d === 101 || d === 69) exponent = true;
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === MINUS) integer = false;
        else break;
      }
      // Beyond ±(2^53 - 1) an integer literal is rounded; an exponent can overflow to Infinity.
      if (
        (integer && j - i >= 16 && !Number.isSafeInteger(Number(text.slice(i, j)))) ||
        (exponent && !Number.isFinite(Number(text.slice(i, j))))
      ) {
        throw limitError('ERR_BOUNDARY_UNSAFE_INTEGER', 0);
      }
      i = j;
    } else {
      i++;
    }
  }
  return keys;
}
