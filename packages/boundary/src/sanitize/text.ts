import { invalidArgument, resolveOptions, rules } from '@portcullis/core';
import { cachedResolver } from '../internal/cachedOptions.ts';
import { DEFAULTS } from '../options.ts';

/** Options of {@link sanitize | `sanitize.text`}. */
export interface TextOptions {
  /**
   * Unicode normalisation: `'NFC'` (canonical, keeps meaning), `'NFKC'` (also folds look-alike
   * compatibility forms such as full-width letters and ligatures; use it for identifiers and
   * search keys) or `'none'`. Default: `'NFC'`.
   */
  normalize?: 'NFC' | 'NFKC' | 'none';
  /**
   * Keep line breaks and tabs (`\n`, `\r`, `\t`; U+2028/U+2029 become `\n`). When `false`, each
   * becomes a space (single-line fields). Default: `true`.
   */
  newlines?: boolean;
  /**
   * Zero-width and invisible formatting characters (U+200B, U+2060, U+FEFF, U+180E, the Unicode
   * tag block U+E0000–U+E007F used to smuggle hidden text): `'remove'` or `'keep'`. ZWJ/ZWNJ
   * (U+200C/U+200D), which scripts and emoji need, are always kept. Default: `'remove'`.
   */
  zeroWidth?: 'remove' | 'keep';
}

interface ResolvedText {
  normalize: 'NFC' | 'NFKC' | 'none';
  newlines: boolean;
  zeroWidth: 'remove' | 'keep';
}

// C0 controls but tab/LF/CR, DEL, C1 controls; bidi embeddings, overrides, isolates and marks
// (the "Trojan Source" set: U+202A–U+202E, U+2066–U+2069, plus LRM, RLM and ALM).
const range = (from: number, to: number): string =>
  `${String.fromCharCode(from)}-${String.fromCharCode(to)}`;
// Built from code points: the class lists control characters on purpose.
const CONTROLS = new RegExp(
  `[${range(0x00, 0x08)}${range(0x0b, 0x0c)}${range(0x0e, 0x1f)}${range(0x7f, 0x9f)}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]`,
  'g',
);
const INVISIBLE = /[\u180E\u200B\u2060-\u2064\uFEFF\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const SEPARATORS = /[\u2028\u2029]/g;
const BREAKS = /[\t\n\r\u2028\u2029]/g;

const resolveText = cachedResolver<TextOptions, ResolvedText>((input) =>
  resolveOptions<TextOptions, typeof DEFAULTS.text>('options', input, DEFAULTS.text, {
    normalize: rules.oneOf(['NFC', 'NFKC', 'none'] as const),
    newlines: rules.boolean(),
    zeroWidth: rules.oneOf(['remove', 'keep'] as const),
  }),
);

/**
 * Cleans untrusted text for storage and display: removes control characters (tab and line breaks
 * kept unless `newlines: false`), bidirectional overrides and isolates (which make text render in
 * a different order than it is stored), invisible zero-width and tag characters, replaces lone
 * surrogates with U+FFFD, then normalises (NFC by default). It does not encode for HTML, SQL or
 * CSV: use `sanitize.html` / parameterised queries / `sanitize.csvCell` at output.
 *
 * @example
 * ```ts
 * import { sanitize } from '@portcullis/boundary';
 * sanitize.text('invoice\u202Efdp.exe'); // 'invoicefdp.exe'
 * sanitize.text('ﬁle', { normalize: 'NFKC' }); // 'file'
 * ```
 */
export function sanitizeText(value: string, options?: TextOptions): string {
  if (typeof value !== 'string') throw invalidArgument('value', 'a string');
  const { normalize, newlines, zeroWidth } = resolveText(options);
  let out = value.replace(LONE_SURROGATE, '\uFFFD').replace(CONTROLS, '');
  if (zeroWidth === 'remove') out = out.replace(INVISIBLE, '');
  out = newlines ? out.replace(SEPARATORS, '\n') : out.replace(BREAKS, ' ');
  return normalize === 'none' ? out : out.normalize(normalize);
}
