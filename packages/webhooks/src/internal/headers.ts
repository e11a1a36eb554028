import { invalidArgument } from '@portcullis/core';
import { WebhookError } from '../errors/WebhookError.ts';
import type { HeadersInput } from '../types.ts';

/** Reads one header value by lower-case name, bounded and typed. */
export type HeaderReader = (name: string) => string | undefined;

/**
 * Builds a reader over `headers`. Every value is bounded by `maxLength` characters; a header sent
 * twice (an array with more than one value) is malformed: a signature header must be unambiguous.
 */
export function headerReader(headers: HeadersInput, maxLength: number): HeaderReader {
  if (typeof headers !== 'object' || headers === null) {
    throw invalidArgument('headers', 'a Headers object or a record of header values');
  }
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const h = headers as { get(name: string): unknown };
    return (name) => {
      const value = h.get(name);
      if (value === null || value === undefined) return undefined;
      // A Headers-like object from a framework may hand back anything: it is input, not misuse.
      if (typeof value !== 'string') throw malformed(name, 'is not text');
      return bounded(name, value, maxLength);
    };
  }
  const record = headers as Readonly<Record<string, unknown>>;
  return (name) => {
    let value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (value === undefined) {
      // Not found under its lower-case name: look for other spellings (a hand-built record).
      for (const key of Object.keys(record)) {
        if (key === name || key.length !== name.length || key.toLowerCase() !== name) continue;
        if (value !== undefined) throw malformed(name, 'was sent more than once');
        value = record[key];
      }
    }
    if (value === undefined) return undefined;
    if (Array.isArray(value)) {
      const present = value.filter((v) => v !== undefined);
      if (present.length !== 1) {
        if (present.length === 0) return undefined;
        throw malformed(name, 'was sent more than once');
      }
      value = present[0];
    }
    if (typeof value !== 'string') {
      throw malformed(name, 'is not text');
    }
    return bounded(name, value, maxLength);
  };
}

function bounded(name: string, value: string | undefined, maxLength: number): string | undefined {
  if (value !== undefined && value.length > maxLength) {
    throw malformed(name, 'is too long');
  }
  return value;
}

/** The value of a header the scheme needs, or `ERR_WEBHOOK_HEADER_MISSING`. */
export function requireHeader(read: HeaderReader, name: string): string {
  const value = read(name);
  if (value === undefined || value === '') {
    throw new WebhookError('ERR_WEBHOOK_HEADER_MISSING', `The ${name} header is missing.`, {
      header: name,
    });
  }
  return value;
}

/** `ERR_WEBHOOK_HEADER_MALFORMED` for `name`, with a caller-safe reason. */
export function malformed(name: string, reason: string): WebhookError {
  return new WebhookError('ERR_WEBHOOK_HEADER_MALFORMED', `The ${name} header ${reason}.`, {
    header: name,
  });
}

const DIGITS = /^[0-9]{1,12}$/;

/** Parses a Unix-seconds timestamp header strictly: 1–12 ASCII digits, nothing else. */
export function parseTimestamp(name: string, value: string): number {
  if (!DIGITS.test(value)) throw malformed(name, 'is not a Unix timestamp in seconds');
  return Number(value);
}
