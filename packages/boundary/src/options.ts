import { resolveOptions, rules } from '@portcullis/core';

/**
 * Every default of `@portcullis/boundary`, in one frozen object: the README's defaults table is
 * tested against it. Options passed to a function override these field by field.
 *
 * @example
 * ```ts
 * import { DEFAULTS } from '@portcullis/boundary';
 * DEFAULTS.limits.maxDepth; // 64
 * ```
 */
export const DEFAULTS: {
  readonly limits: {
    readonly maxBytes: 1_048_576;
    readonly maxDepth: 64;
    readonly maxKeys: 1000;
    readonly maxArrayLength: 10_000;
    readonly maxStringLength: 100_000;
    readonly forbiddenKeys: 'refuse';
    readonly unsafeIntegers: 'refuse';
  };
  readonly boundary: { readonly unknownKeys: 'strip'; readonly maxIssues: 20 };
  readonly text: {
    readonly normalize: 'NFC';
    readonly newlines: true;
    readonly zeroWidth: 'remove';
  };
  readonly identifier: { readonly maxLength: 64; readonly extraChars: '_-.' };
  readonly email: { readonly maxLength: 254 };
  readonly csv: {
    readonly maxBytes: 10_485_760;
    readonly maxRows: 100_000;
    readonly maxErrors: 100;
    readonly maxRecordBytes: 65_536;
    readonly delimiter: ',';
    readonly header: true;
    readonly formulas: 'refuse';
    readonly sanitizeText: true;
  };
  readonly redact: {
    readonly replacement: '[REDACTED]';
    readonly patterns: true;
    readonly maxDepth: 32;
    readonly maxNodes: 10_000;
  };
  readonly problem: { readonly type: 'about:blank' };
} = Object.freeze({
  limits: Object.freeze({
    maxBytes: 1_048_576,
    maxDepth: 64,
    maxKeys: 1000,
    maxArrayLength: 10_000,
    maxStringLength: 100_000,
    forbiddenKeys: 'refuse',
    unsafeIntegers: 'refuse',
  } as const),
  boundary: Object.freeze({ unknownKeys: 'strip', maxIssues: 20 } as const),
  text: Object.freeze({ normalize: 'NFC', newlines: true, zeroWidth: 'remove' } as const),
  identifier: Object.freeze({ maxLength: 64, extraChars: '_-.' } as const),
  email: Object.freeze({ maxLength: 254 } as const),
  csv: Object.freeze({
    maxBytes: 10_485_760,
    maxRows: 100_000,
    maxErrors: 100,
    maxRecordBytes: 65_536,
    delimiter: ',',
    header: true,
    formulas: 'refuse',
    sanitizeText: true,
  } as const),
  redact: Object.freeze({
    replacement: '[REDACTED]',
    patterns: true,
    maxDepth: 32,
    maxNodes: 10_000,
  } as const),
  problem: Object.freeze({ type: 'about:blank' } as const),
});

/** Limits on untrusted structured input, applied before anything else looks at it. */
export interface Limits {
  /** Largest input in bytes (UTF-8). Over it: `ERR_BOUNDARY_TOO_LARGE`. Default: 1 048 576 (1 MiB). */
  maxBytes?: number;
  /** Deepest nesting of objects and arrays (the root container is depth 1). Default: 64. */
  maxDepth?: number;
  /** Most keys in one object. Default: 1000. */
  maxKeys?: number;
  /** Most elements in one array. Default: 10 000. */
  maxArrayLength?: number;
  /** Longest string (keys and values), in UTF-16 code units. Default: 100 000. */
  maxStringLength?: number;
  /**
   * What to do with a `__proto__`, `constructor` or `prototype` key: `'refuse'` the input
   * (`ERR_BOUNDARY_FORBIDDEN_KEY`) or `'drop'` the key (deleted in place from an object given
   * to `Boundary.parse`). Default: `'refuse'`.
   */
  forbiddenKeys?: 'refuse' | 'drop';
  /**
   * An integer literal beyond ±(2^53 - 1), which `JSON.parse` silently rounds: `'refuse'`
   * (`ERR_BOUNDARY_UNSAFE_INTEGER`) or `'allow'` (rounded, as `JSON.parse` does). Default: `'refuse'`.
   */
  unsafeIntegers?: 'refuse' | 'allow';
}

/** {@link Limits} with every field filled in. */
export type ResolvedLimits = Required<Limits>;

const LIMIT_RULES = {
  maxBytes: rules.integer(),
  maxDepth: rules.integer({ max: 10_000 }),
  maxKeys: rules.integer(),
  maxArrayLength: rules.integer(),
  maxStringLength: rules.integer(),
  forbiddenKeys: rules.oneOf(['refuse', 'drop'] as const),
  unsafeIntegers: rules.oneOf(['refuse', 'allow'] as const),
};

/** The default limits, resolved once. */
export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze(
  resolveOptions<Limits, typeof DEFAULTS.limits>('limits', {}, DEFAULTS.limits, LIMIT_RULES),
);

const resolvedCache = new WeakMap<Limits, ResolvedLimits>();

/** Validates limits once per object (cached by identity, so a reused object costs nothing). */
export function resolveLimits(limits: Limits | undefined, path = 'limits'): ResolvedLimits {
  if (limits === undefined) return DEFAULT_LIMITS;
  if (typeof limits === 'object' && limits !== null) {
    const cached = resolvedCache.get(limits);
    if (cached !== undefined) return cached;
  }
  const resolved = Object.freeze(
    resolveOptions<Limits, typeof DEFAULTS.limits>(path, limits, DEFAULTS.limits, LIMIT_RULES),
  );
  resolvedCache.set(limits, resolved);
  return resolved;
}
