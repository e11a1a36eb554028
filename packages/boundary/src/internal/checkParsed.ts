// The walk after `JSON.parse` (and over any object handed to a boundary): nesting depth, keys per
// object, array length, string length, unsafe numbers and `__proto__`/`constructor`/`prototype`
// keys, in one pass that stops at the first limit crossed (so a deep document never recurses
// past `maxDepth`). It also counts own keys and the strings that begin with a colon, which lets
// `parseText` detect a duplicate key. Plain functions over module state: this is the hot path.
import { BoundaryError } from '../errors/BoundaryError.ts';
import type { ResolvedLimits } from '../options.ts';
import { limitError } from './scanJson.ts';

export function forbiddenKeyError(): BoundaryError {
  return new BoundaryError(
    'ERR_BOUNDARY_FORBIDDEN_KEY',
    'The input holds a "__proto__", "constructor" or "prototype" key, which is refused.',
  );
}

/**
 * How many colons in `text` directly follow a quote (`":`), or -1 when a colon follows
 * whitespace (a key spaced from its colon cannot be told from the raw text: the caller falls
 * back to a full scan). A 1-character search is faster than a 2-character one.
 */
export function quoteColons(text: string): number {
  let n = 0;
  for (let i = text.indexOf(':'); i !== -1; i = text.indexOf(':', i + 1)) {
    const before = text.charCodeAt(i - 1);
    if (before === 34) n++;
    else if (before === 32 || before === 10 || before === 13 || before === 9) return -1;
  }
  return n;
}

/** What one walk found: own keys, and keys and strings whose first character is `:`. */
export interface TreeCounts {
  keys: number;
  leadingColons: number;
  /** With a key bag: some key of the tree is not in the text (the parser read a key wrongly). */
  disagrees: boolean;
}

let maxDepth = 0;
let maxKeys = 0;
let maxArrayLength = 0;
let maxStringLength = 0;
let drop = false;
let checkNumbers = false;
let keys = 0;
let leadingColons = 0;
let bag: Map<string, number> | undefined;
let disagrees = false;

function string(text: string): void {
  if (text.length > maxStringLength) {
    throw limitError('ERR_BOUNDARY_STRING_TOO_LONG', maxStringLength);
  }
  if (text.charCodeAt(0) === 58) leadingColons++;
}

function value(item: unknown, depth: number): void {
  if (typeof item === 'string') string(item);
  else if (typeof item === 'number') {
    // Integer-valued beyond ±(2^53 - 1) (JSON.parse rounded it) or overflowed to ±Infinity.
    if (
      checkNumbers &&
      (item > Number.MAX_SAFE_INTEGER || item < Number.MIN_SAFE_INTEGER) &&
      (Number.isInteger(item) || !Number.isFinite(item))
    ) {
      throw limitError('ERR_BOUNDARY_UNSAFE_INTEGER', 0);
    }
  } else if (typeof item === 'object' && item !== null) container(item, depth + 1);
}

function container(node: object, depth: number): void {
  if (depth > maxDepth) throw limitError('ERR_BOUNDARY_TOO_DEEP', maxDepth);
  if (Array.isArray(node)) {
    if (node.length > maxArrayLength) {
      throw limitError('ERR_BOUNDARY_ARRAY_TOO_LONG', maxArrayLength);
    }
    for (let i = 0; i < node.length; i++) value(node[i], depth);
    return;
  }
  const object = node as Record<string, unknown>;
  let count = 0;
  for (const key in object) {
    if (++count > maxKeys) throw limitError('ERR_BOUNDARY_TOO_MANY_KEYS', maxKeys);
    string(key);
    if (bag !== undefined) {
      const left = bag.get(key);
      if (left === undefined || left === 0) disagrees = true;
      else bag.set(key, left - 1);
    }
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      if (!drop) throw forbiddenKeyError();
      // Still walked, so the strings of the dropped value keep the duplicate count exact.
      value(object[key], depth);
      delete object[key];
      continue;
    }
    value(object[key], depth);
  }
  keys += count;
}

/**
 * Checks a parsed value (a primitive root included) against `limits`, refusing or dropping
 * forbidden keys. Returns the counts `parseText` compares to find a duplicate key; with
 * `keyBag` (the text's keys, from `scanJson`), also whether every key of the tree is one of them.
 */
export function checkTree(
  root: unknown,
  limits: ResolvedLimits,
  keyBag?: Map<string, number>,
): TreeCounts {
  maxDepth = limits.maxDepth;
  maxKeys = limits.maxKeys;
  maxArrayLength = limits.maxArrayLength;
  maxStringLength = limits.maxStringLength;
  drop = limits.forbiddenKeys === 'drop';
  checkNumbers = limits.unsafeIntegers === 'refuse';
  keys = 0;
  leadingColons = 0;
  bag = keyBag;
  disagrees = false;
  try {
    if (typeof root === 'object' && root !== null) container(root, 1);
    else value(root, 0);
  } finally {
    bag = undefined;
  }
  return { keys, leadingColons, disagrees };
}
