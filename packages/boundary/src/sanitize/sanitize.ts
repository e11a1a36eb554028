import { csvCell } from './csvCell.ts';
import { checkEmail } from './email.ts';
import { encodeHtml } from './html.ts';
import { checkIdentifier } from './identifier.ts';
import { sanitizeText } from './text.ts';

/**
 * The sanitisers, grouped: `text` (clean untrusted text), `html` (encode for an HTML text node
 * or quoted attribute), `identifier` and `email` (accept by allow-list or refuse), `csvCell`
 * (neutralise spreadsheet formulas).
 *
 * @example
 * ```ts
 * import { sanitize } from '@portcullis/boundary';
 * const name = sanitize.text('Ada\u0000 Lovelace'); // 'Ada Lovelace'
 * const shown = sanitize.html(name);
 * ```
 */
export const sanitize: {
  readonly text: typeof sanitizeText;
  readonly html: typeof encodeHtml;
  readonly identifier: typeof checkIdentifier;
  readonly email: typeof checkEmail;
  readonly csvCell: typeof csvCell;
} = Object.freeze({
  text: sanitizeText,
  html: encodeHtml,
  identifier: checkIdentifier,
  email: checkEmail,
  csvCell,
});
