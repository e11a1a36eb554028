// The canonical bytes of a context: sorted keys, JSON-encoded pairs, so two objects with the same
// entries in any order bind the same way and no two different contexts share an encoding.
import type { EnvelopeContext } from '../types.ts';

/** `base` under `context` (the call's values win), as a new frozen object. */
export function mergeContext(base: EnvelopeContext, context: EnvelopeContext): EnvelopeContext {
  return Object.keys(base).length === 0 ? context : { ...base, ...context };
}

// Text JSON.stringify leaves as it is: no quote, backslash, control character or surrogate.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters JSON escapes
const VERBATIM = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** `JSON.stringify(text)`, without its cost for the common text that needs no escape. */
export function quote(text: string): string {
  return VERBATIM.test(text) ? `"${text}"` : JSON.stringify(text);
}

/** The unambiguous text form of a context: `[["key","value"],…]`, keys sorted, JSON strings. */
export function canonicalContext(context: EnvelopeContext): string {
  const keys = Object.keys(context);
  if (keys.length > 1) keys.sort();
  let out = '[';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += `${i === 0 ? '[' : ',['}${quote(key)},${quote(context[key] as string)}]`;
  }
  return `${out}]`;
}

/** The canonical form as UTF-8 bytes. */
export function contextBytes(context: EnvelopeContext): Uint8Array {
  return Buffer.from(canonicalContext(context), 'utf8');
}

/** The entries of `context` whose keys are in `keys` (those absent are left out). */
export function pickContext(context: EnvelopeContext, keys: readonly string[]): EnvelopeContext {
  const out: Record<string, string> = {};
  for (const key of keys) {
    if (!Object.hasOwn(context, key)) continue;
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: context[key], enumerable: true, writable: true });
    else out[key] = context[key] as string;
  }
  return out;
}
