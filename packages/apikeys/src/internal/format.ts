import { randomBytes } from 'node:crypto';

// A key is `<prefix>_<id><secret><checksum>`, all after the prefix in base62:
//   id        16 chars (~95 bits) — random, public: the row to look up, shown in listings
//   secret    32 chars (~190 bits) — random, never stored: only its keyed hash is
//   checksum   6 chars — CRC-32 of everything before it, so a typo is refused without a lookup
//             and secret scanners can tell a real key from a random string (GitHub's scheme).
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_LENGTH = 16;
export const SECRET_LENGTH = 32;
export const CHECKSUM_LENGTH = 6;
export const BODY_LENGTH: number = ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
const BASE62 = /^[0-9A-Za-z]+$/;
export const PREFIX: RegExp = /^[a-z][a-z0-9]{0,15}(?:_[a-z0-9]{1,15})?$/;

/** Unbiased base62 from the CSPRNG (rejection sampling: 62 * 4 = 248 of 256 byte values kept). */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function checksum(text: string): string {
  let n = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  }
  return out;
}

export interface ParsedKey {
  prefix: string;
  id: string;
}

/**
 * Splits a presented key, checking its shape and checksum; `undefined` for a malformed key and
 * `'checksum'` for a well-formed one whose checksum does not match (a typo). No lookup needed.
 */
export function parseKey(
  key: string,
  prefixes: readonly string[],
): ParsedKey | 'malformed' | 'checksum' {
  if (key.length > 64 + BODY_LENGTH) return 'malformed';
  const cut = key.length - BODY_LENGTH - 1;
  if (cut < 1 || key[cut] !== '_') return 'malformed';
  const prefix = key.slice(0, cut);
  const body = key.slice(cut + 1);
  if (!prefixes.includes(prefix) || !BASE62.test(body)) return 'malformed';
  const head = key.slice(0, key.length - CHECKSUM_LENGTH);
  if (checksum(head) !== key.slice(-CHECKSUM_LENGTH)) return 'checksum';
  return { prefix, id: body.slice(0, ID_LENGTH) };
}

/** A new key for `prefix`: its id and the full text shown once to the user. */
export function newKey(prefix: string): { id: string; key: string } {
  const id = randomBase62(ID_LENGTH);
  const head = `${prefix}_${id}${randomBase62(SECRET_LENGTH)}`;
  return { id, key: head + checksum(head) };
}
