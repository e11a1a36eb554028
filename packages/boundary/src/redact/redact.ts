import { invalidArgument, isRedacted, resolveOptions, rules } from '@portcullis/core';
import { cachedResolver } from '../internal/cachedOptions.ts';
import { DEFAULTS } from '../options.ts';
import { SECRET_KEY_PARTS, SECRET_KEYS, TOKEN_PATTERNS } from './patterns.ts';

/** Options of {@link redact}. */
export interface RedactRules {
  /** More key names to redact, besides the built-in list (matched like them: case, `-`, `_` ignored). Default: none. */
  keys?: readonly string[];
  /** Look for token shapes (bearer, `whsec_`, AWS keys, JWTs, …) inside every string. Default: `true`. */
  patterns?: boolean;
  /** More token shapes to replace inside strings, besides the built-in ones. Default: none. */
  extraPatterns?: readonly RegExp[];
  /** What replaces a redacted value. Default: `'[REDACTED]'`. */
  replacement?: string;
  /** Deepest nesting copied; deeper values become `'[Truncated]'`. Default: 32. */
  maxDepth?: number;
  /** Most values copied in all; past it, values become `'[Truncated]'`. Default: 10 000. */
  maxNodes?: number;
}

interface Resolved {
  keys: Set<string>;
  patterns: RegExp[];
  replacement: string;
  maxDepth: number;
  maxNodes: number;
}

const normalise = (key: string): string => key.toLowerCase().replace(/[-_\s]/g, '');

const resolveRules = cachedResolver<RedactRules, Resolved>((input) => {
  const o = resolveOptions<RedactRules, typeof DEFAULTS.redact>('rules', input, DEFAULTS.redact, {
    keys: rules.optional(
      rules.custom((value, path) => {
        if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) {
          throw invalidArgument(path, 'an array of strings');
        }
        return value as readonly string[];
      }),
    ),
    patterns: rules.boolean(),
    extraPatterns: rules.optional(
      rules.custom((value, path) => {
        if (!Array.isArray(value) || !value.every((p) => p instanceof RegExp)) {
          throw invalidArgument(path, 'an array of RegExps');
        }
        return value as readonly RegExp[];
      }),
    ),
    replacement: rules.string({ allowEmpty: true }),
    maxDepth: rules.integer({ max: 1000 }),
    maxNodes: rules.integer(),
  });
  const extra = (o.extraPatterns ?? []).map(
    (p) => new RegExp(p.source, p.flags.includes('g') ? p.flags : `${p.flags}g`),
  );
  return {
    keys: new Set([...SECRET_KEYS, ...(o.keys ?? []).map(normalise)]),
    patterns: [...(o.patterns ? TOKEN_PATTERNS : []), ...extra],
    replacement: o.replacement,
    maxDepth: o.maxDepth,
    maxNodes: o.maxNodes,
  };
});

function isSecretKey(key: string, r: Resolved): boolean {
  const k = normalise(key);
  if (r.keys.has(k)) return true;
  for (const part of SECRET_KEY_PARTS) if (k.includes(part)) return true;
  return false;
}

function redactString(text: string, r: Resolved): string {
  let out = text;
  for (const pattern of r.patterns) {
    pattern.lastIndex = 0;
    out = out.replace(pattern, (_match, kept: unknown) =>
      typeof kept === 'string' ? kept + r.replacement : r.replacement,
    );
  }
  return out;
}

class Walk {
  nodes = 0;
  readonly ancestors = new Set<object>();
  readonly r: Resolved;
  constructor(r: Resolved) {
    this.r = r;
  }

  value(value: unknown, depth: number): unknown {
    if (++this.nodes > this.r.maxNodes) return '[Truncated]';
    switch (typeof value) {
      case 'string':
        return redactString(value, this.r);
      case 'number':
      case 'boolean':
      case 'undefined':
        return value;
      case 'bigint':
        return value.toString();
      case 'symbol':
        return '[Symbol]';
      case 'function':
        return '[Function]';
    }
    if (value === null) return null;
    const object = value as object;
    if (isRedacted(object)) return this.r.replacement;
    if (this.ancestors.has(object)) return '[Circular]';
    if (depth >= this.r.maxDepth) return '[Truncated]';
    if (object instanceof Date)
      return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (object instanceof URL) return redactString(object.href, this.r);
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer)
      return `[${object.constructor.name}]`;
    this.ancestors.add(object);
    try {
      return this.container(object, depth);
    } finally {
      this.ancestors.delete(object);
    }
  }

  container(object: object, depth: number): unknown {
    if (Array.isArray(object)) return object.map((item) => this.guarded(() => item, depth));
    if (object instanceof Map) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of object) this.entry(out, String(key), () => item, depth);
      return out;
    }
    if (object instanceof Set) return [...object].map((item) => this.guarded(() => item, depth));
    const out: Record<string, unknown> = {};
    if (object instanceof Error) {
      out.name = object.name;
      out.message = redactString(String(object.message), this.r);
      const code = (object as { code?: unknown }).code;
      if (typeof code === 'string') out.code = code;
      return out;
    }
    for (const key of Object.keys(object)) {
      this.entry(out, key, () => (object as Record<string, unknown>)[key], depth);
    }
    return out;
  }

  entry(out: Record<string, unknown>, key: string, read: () => unknown, depth: number): void {
    const value = isSecretKey(key, this.r) ? this.r.replacement : this.guarded(read, depth);
    // defineProperty: a "__proto__" key is copied as data, never as the prototype.
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }

  guarded(read: () => unknown, depth: number): unknown {
    try {
      return this.value(read(), depth + 1);
    } catch {
      return '[Unreadable]'; // a throwing getter or Proxy trap
    }
  }
}

/**
 * A copy of `value` safe to log: values under secret or personal key names (`password`,
 * `authorization`, `apiKey`, `cookie`, `email`, …, plus `rules.keys`) are replaced, and token
 * shapes inside any string (bearer and basic credentials, `whsec_` secrets, AWS access key ids,
 * JWTs, Stripe/GitHub/Slack/Google keys, PEM private keys, passwords in URLs and query strings,
 * email addresses) are replaced where they appear. `Redacted` boxes become the replacement.
 * It never throws: cycles become `'[Circular]'`, BigInts strings, throwing getters
 * `'[Unreadable]'`, and depth and size are bounded. Errors keep `name`, `message` and `code`,
 * never `stack` or `cause`. Pattern matching is best effort: keep secrets out of logs first.
 *
 * @example
 * ```ts
 * import { redact } from '@portcullis/boundary';
 * redact({ user: 'ada', password: 'hunter2', headers: { authorization: 'Bearer abc.def' } });
 * // { user: 'ada', password: '[REDACTED]', headers: { authorization: '[REDACTED]' } }
 * ```
 */
export function redact(value: unknown, rules?: RedactRules): unknown {
  const r = resolveRules(rules);
  try {
    return new Walk(r).value(value, 0);
  } catch {
    return '[Unreadable]';
  }
}
