// Issues from zod or any Standard Schema validator, reduced to what is safe to show a caller: a
// path (segments bounded in length) and a short phrase naming what kind of value was expected.
// Never the input, never an expected literal, never the validator's message (zod's messages
// print expected literals, and a custom message can print anything).
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { BoundaryIssue } from '../errors/BoundaryError.ts';

/** Formats whose name is safe to echo; others (regex, starts_with, includes…) carry literals. */
const NAMED_FORMATS = new Set([
  'email',
  'url',
  'uuid',
  'guid',
  'nanoid',
  'cuid',
  'cuid2',
  'ulid',
  'xid',
  'ksuid',
  'emoji',
  'datetime',
  'date',
  'time',
  'duration',
  'ipv4',
  'ipv6',
  'cidrv4',
  'cidrv6',
  'base64',
  'base64url',
  'e164',
  'jwt',
  'lowercase',
  'uppercase',
  'hex',
  'hostname',
  'mac',
]);

const SIZE: Record<string, string> = {
  string: 'a string of allowed length',
  array: 'an array of allowed size',
  set: 'a set of allowed size',
  file: 'a file of allowed size',
};

const TYPE_NAME = /^[a-z][a-z0-9_]{0,23}$/;

/** A raw zod issue, read loosely (zod's issue shapes differ by code). */
interface RawIssue {
  code?: unknown;
  path?: readonly unknown[];
  expected?: unknown;
  origin?: unknown;
  format?: unknown;
  keys?: readonly unknown[];
}

/** What a zod issue says was expected, as a caller-safe phrase. */
export function zodExpected(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return typeof issue.expected === 'string' && TYPE_NAME.test(issue.expected)
        ? issue.expected
        : 'a value of another type';
    case 'too_big':
    case 'too_small':
      return SIZE[String(issue.origin)] ?? 'a value in the allowed range';
    case 'invalid_format':
      return typeof issue.format === 'string' && NAMED_FORMATS.has(issue.format)
        ? `a valid ${issue.format}`
        : 'a string of the required form';
    case 'invalid_value':
      return 'one of the allowed values';
    case 'invalid_union':
      return 'one of the allowed shapes';
    case 'unrecognized_keys':
      return 'no unknown key';
    case 'invalid_key':
      return 'a valid key';
    case 'invalid_element':
      return 'a valid element';
    case 'not_multiple_of':
      return 'a multiple of the allowed step';
    default:
      return 'a valid value';
  }
}

const MAX_SEGMENT = 64;

/** A path segment as shown: numbers kept, strings cut to 64 characters, anything else named. */
export function segment(key: unknown): string | number {
  const raw =
    typeof key === 'object' && key !== null && 'key' in key ? (key as { key: unknown }).key : key;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'string')
    return raw.length > MAX_SEGMENT ? `${raw.slice(0, MAX_SEGMENT)}…` : raw;
  return '?';
}

function toPath(path: readonly unknown[] | undefined): (string | number)[] {
  if (path === undefined) return [];
  const out: (string | number)[] = [];
  for (let i = 0; i < path.length && i < 32; i++) out.push(segment(path[i]));
  return out;
}

/** Bounded issues from zod's raw issues. */
export function fromZodIssues(raw: readonly RawIssue[], maxIssues: number): BoundaryIssue[] {
  const out: BoundaryIssue[] = [];
  for (let i = 0; i < raw.length && out.length < maxIssues; i++) {
    const issue = raw[i] as RawIssue;
    const path = toPath(issue.path);
    if (issue.code === 'unrecognized_keys' && Array.isArray(issue.keys)) {
      for (const key of issue.keys) {
        if (out.length >= maxIssues) break;
        out.push({ path: [...path, segment(key)], expected: 'no unknown key' });
      }
      continue;
    }
    out.push({ path, expected: zodExpected(issue) });
  }
  return out;
}

const BASIC_TYPES = new Set([
  'string',
  'number',
  'boolean',
  'bigint',
  'object',
  'array',
  'null',
  'undefined',
  'date',
  'integer',
  'record',
  'tuple',
]);

/**
 * A validator's issue `kind`/`type` (valibot names its schemas and checks there), used only when
 * it names a basic type or a known format; anything else is a generic phrase.
 */
function standardExpected(kind: unknown, type: unknown): string {
  if (typeof type !== 'string') return 'a valid value';
  if (kind === 'schema' && BASIC_TYPES.has(type)) return type;
  if (kind === 'validation' && NAMED_FORMATS.has(type)) return `a valid ${type}`;
  return 'a valid value';
}

/** Bounded issues from a Standard Schema result (its messages are dropped). */
export function fromStandardIssues(
  raw: readonly StandardSchemaV1.Issue[],
  maxIssues: number,
): BoundaryIssue[] {
  const out: BoundaryIssue[] = [];
  for (let i = 0; i < raw.length && i < maxIssues; i++) {
    const issue = raw[i] as StandardSchemaV1.Issue & { kind?: unknown; type?: unknown };
    out.push({ path: toPath(issue.path), expected: standardExpected(issue.kind, issue.type) });
  }
  return out;
}

/** How many issues a raw zod list stands for (unknown keys count one each). */
export function zodIssueCount(raw: readonly RawIssue[]): number {
  let n = 0;
  for (const issue of raw) {
    n += issue.code === 'unrecognized_keys' && Array.isArray(issue.keys) ? issue.keys.length : 1;
  }
  return n;
}
