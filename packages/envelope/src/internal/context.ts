// The canonical bytes of a context: sorted keys, JSON-encoded pairs, so two objects with the same
// entries in any order bind the same way and no two different contexts share an encoding.
import type { EnvelopeContext } from '../types.ts';

/** `base` under `context` (the call's values win), as a new frozen object. */
export function mergeContext(base: EnvelopeContext, context: EnvelopeContext): EnvelopeContext {
  return Object.keys(base).length === 0 ? context : { ...base, ...context };
}

/** The unambiguous text form of a context. */
export function canonicalContext(context: EnvelopeContext): string {
  const keys = Object.keys(context).sort();
  let out = '[';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    out += `${i === 0 ? '' : ','}[${JSON.stringify(key)},${JSON.stringify(context[key])}]`;
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
    const value = context[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
