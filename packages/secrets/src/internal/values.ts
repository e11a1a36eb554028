import {
  invalidArgument,
  isRedacted,
  type Redacted,
  redacted,
  timingSafeEqual,
} from '@portcullis/core';
import { SecretsError } from '../errors/SecretsError.ts';

/** A secret value as providers hold it. */
export type SecretValue = Redacted<string> | Redacted<Uint8Array>;

/** Boxes text or bytes (refusing anything else as misuse of the caller's API). */
export function boxValue(value: unknown, path: string): SecretValue {
  const inner = isRedacted(value) ? (value as Redacted<unknown>).reveal() : value;
  if (typeof inner === 'string') return redacted(inner);
  if (inner instanceof Uint8Array) return redacted(new Uint8Array(inner));
  throw invalidArgument(path, 'a string, a Uint8Array or a Redacted box');
}

/** Whether two values are the same secret (constant time for equal lengths). */
export function sameValue(a: SecretValue, b: SecretValue): boolean {
  const x = a.reveal();
  const y = b.reveal();
  if (typeof x !== typeof y) return false;
  return timingSafeEqual(x as string, y as string);
}

/** The value as text, or `ERR_SECRET_INVALID` when it is binary. */
export function asText(name: string, value: SecretValue): Redacted<string> {
  if (typeof value.reveal() === 'string') return value as Redacted<string>;
  throw new SecretsError(
    'ERR_SECRET_INVALID',
    `Secret "${name}" is binary; read it with getBytes().`,
    {
      secretName: name,
    },
  );
}

/** The value as bytes (text is encoded as UTF-8). */
export function asBytes(value: SecretValue): Redacted<Uint8Array> {
  const inner = value.reveal();
  return typeof inner === 'string'
    ? redacted(new TextEncoder().encode(inner))
    : (value as Redacted<Uint8Array>);
}
