import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { BoundaryError } from '../errors/BoundaryError.ts';
import { cachedResolver } from '../internal/cachedOptions.ts';
import { DEFAULTS } from '../options.ts';

/** Options of {@link sanitize | `sanitize.identifier`}. */
export interface IdentifierOptions {
  /** Longest identifier, in characters. Default: 64. */
  maxLength?: number;
  /**
   * ASCII punctuation allowed besides letters and digits (never first). Default: `'_-.'`.
   * Pass `''` for letters and digits only.
   */
  extraChars?: string;
}

const PUNCTUATION = /^[!-/:-@[-`{-~]*$/;

const resolveIdentifier = cachedResolver<IdentifierOptions, RegExp>((input) => {
  const { maxLength, extraChars } = resolveOptions<IdentifierOptions, typeof DEFAULTS.identifier>(
    'options',
    input,
    DEFAULTS.identifier,
    {
      maxLength: rules.integer({ max: 10_000 }),
      extraChars: rules.custom((value, path) => {
        if (typeof value !== 'string') throw invalidArgument(path, 'a string');
        if (!PUNCTUATION.test(value))
          throw invalidArgument(path, 'ASCII punctuation only', 'value');
        return value;
      }),
    },
  );
  const extra = extraChars.replace(/[\\\]^-]/g, '\\$&');
  return new RegExp(`^[A-Za-z0-9][A-Za-z0-9${extra}]{0,${maxLength - 1}}$`);
});

/**
 * Accepts an identifier (a username, a slug, an external id) only if it is made of the allowed
 * alphabet: ASCII letters and digits, then `extraChars`, starting with a letter or digit, at
 * most `maxLength` long. Returns it unchanged; anything else is a `BoundaryError`
 * `ERR_BOUNDARY_INVALID_IDENTIFIER` (status 422) whose message does not repeat the value.
 *
 * @example
 * ```ts
 * import { sanitize } from '@portcullis/boundary';
 * sanitize.identifier('acme-corp_42'); // 'acme-corp_42'
 * // sanitize.identifier('../etc/passwd') throws ERR_BOUNDARY_INVALID_IDENTIFIER
 * ```
 */
export function checkIdentifier(value: string, options?: IdentifierOptions): string {
  const pattern = resolveIdentifier(options);
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new BoundaryError(
      'ERR_BOUNDARY_INVALID_IDENTIFIER',
      'The value is not an identifier of the allowed characters and length.',
    );
  }
  return value;
}
