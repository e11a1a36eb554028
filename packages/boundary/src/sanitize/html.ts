import { invalidArgument } from '@portcullis/core';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};
const SPECIAL = /[&<>"'`]/g;
const ANY_SPECIAL = /[&<>"'`]/;

/**
 * Encodes a value for an HTML text node or a quoted attribute value: `& < > " ' \``
 * become entities, so markup in the value is shown, never run. It is output encoding for those
 * two contexts only: never put untrusted values in a `<script>`, a `style`, an event-handler
 * attribute or an unquoted attribute, and check URLs with an allow-list of schemes.
 *
 * @example
 * ```ts
 * import { sanitize } from '@portcullis/boundary';
 * const cell = `<td>${sanitize.html('<img src=x onerror=alert(1)>')}</td>`;
 * // '<td>&lt;img src=x onerror=alert(1)&gt;</td>'
 * ```
 */
export function encodeHtml(value: string | number | boolean): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw invalidArgument('value', 'a string, number or boolean');
  return ANY_SPECIAL.test(value) ? value.replace(SPECIAL, (c) => ENTITIES[c] as string) : value;
}
