// Strict mode: a key present in the input but absent from the schema's output at the same place
// is unknown (zod's and valibot's objects strip keys they do not declare). Input and output are
// walked side by side wherever both are plain objects or arrays; where the schema turned a value
// into something else, the walk stops there.
import type { BoundaryIssue } from '../errors/BoundaryError.ts';
import { segment } from './issues.ts';

function isPlain(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Pushes one issue per unknown key into `out` (up to `max`); returns how many were found. */
export function findUnknownKeys(
  input: unknown,
  output: unknown,
  path: (string | number)[],
  out: BoundaryIssue[],
  max: number,
): number {
  let found = 0;
  if (Array.isArray(input) && Array.isArray(output)) {
    const n = Math.min(input.length, output.length);
    for (let i = 0; i < n; i++) {
      const item = input[i];
      if (typeof item === 'object' && item !== null) {
        path.push(i);
        found += findUnknownKeys(item, output[i], path, out, max);
        path.pop();
      }
    }
    return found;
  }
  if (!isPlain(input) || !isPlain(output)) return 0;
  for (const key in input) {
    if (!Object.hasOwn(output, key)) {
      found++;
      if (out.length < max) out.push({ path: [...path, segment(key)], expected: 'no unknown key' });
      continue;
    }
    const item = input[key];
    if (typeof item === 'object' && item !== null) {
      path.push(segment(key));
      found += findUnknownKeys(item, output[key], path, out, max);
      path.pop();
    }
  }
  return found;
}
