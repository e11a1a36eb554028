// Byte encodings without Buffer, so the verify path runs on every runtime.
import type { Encoding } from '../types.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const HEX = '0123456789abcdef';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  DECODE[B64.charCodeAt(i)] = i;
  DECODE[B64URL.charCodeAt(i)] = i;
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** Encodes bytes; base64 is padded, base64url is not (as JOSE writes it). */
export function encode(bytes: Uint8Array, encoding: Encoding): string {
  if (encoding === 'hex') {
    let out = '';
    for (const b of bytes) out += HEX[b >> 4]! + HEX[b & 15]!;
    return out;
  }
  const alphabet = encoding === 'base64' ? B64 : B64URL;
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]!;
    out += rest === 2 ? alphabet[(n >> 6) & 63]! : '';
    if (encoding === 'base64') out += rest === 2 ? '=' : '==';
  }
  return out;
}

/**
 * Decodes base64 or base64url (either alphabet, padding optional). Returns `undefined` for
 * anything that is not exactly that: stray characters, whitespace, bad padding, or non-zero
 * trailing bits (so every byte string has one accepted spelling).
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  let end = text.length;
  if (end % 4 === 0 && end > 0 && text.charCodeAt(end - 1) === 61) {
    end--;
    if (text.charCodeAt(end - 1) === 61) end--;
  }
  if (end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let bits = 0;
  let value = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const d = c < 128 ? DECODE[c]! : -1;
    if (d < 0) return undefined;
    value = ((value << 6) | d) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (value >> bits) & 0xff;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) return undefined;
  return out;
}

/** Decodes lower- or upper-case hex; `undefined` when it is not hex. */
export function decodeHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Joins byte arrays into one. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
