import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { invalidArgument, type Redacted, refuseUnknownKeys, reveal } from '@portcullis/core';

/** How one field is encrypted. */
export interface EncryptedFieldSpec {
  /**
   * Also write a blind index of the value into the field of this name: a keyed HMAC for equality
   * lookups (`WHERE email_index = $1`). Default: none.
   */
  blindIndex?: string;
  /** Turns the value into the text the index is computed over (e.g. lower-casing an email). Default: `String(value)`. */
  normalize?: (value: unknown) => string;
}

/** Options of {@link defineEncryptedFields}. */
export interface EncryptedFieldsOptions<T> {
  /** Which fields of the record are encrypted, and how. Required. */
  fields: { readonly [K in keyof T & string]?: EncryptedFieldSpec };
  /**
   * Checks the plaintext record: a `@portcullis/boundary` boundary (`defineBoundary(...)`), a zod
   * schema, anything with `parse(value): T`. Run before encrypting and after decrypting.
   * Default: none.
   */
  schema?: {
    /** Returns the value as `T`, or throws. */
    parse(value: unknown): T;
  };
  /** The HMAC key of the blind indexes (at least 32 bytes; keep it apart from your KEKs). Required when a field has `blindIndex`. */
  blindIndexKey?: Uint8Array | Redacted<Uint8Array>;
  /** Bytes of HMAC kept in an index (base64url). Fewer bytes, more false positives, less to match on. Default: 16. */
  blindIndexBytes?: number;
}

/** A compiled field-encryption plan, for {@link encryptFields} / {@link decryptFields}. */
export interface EncryptedFields<T> {
  /** The encrypted field names. */
  readonly fields: readonly string[];
  /** The blind-index field names, by encrypted field. */
  readonly indexes: Readonly<Record<string, string>>;
  readonly schema:
    | {
        /** Returns the value as `T`, or throws. */
        parse(value: unknown): T;
      }
    | undefined;
  /** The blind index of `value` for `field`: what to look a row up by. */
  blindIndex(field: keyof T & string, value: unknown): string;
}

const INFO = 'portcullis-envelope v1 blind index ';

/**
 * Declares which fields of a record are encrypted (and which get a blind index), once.
 *
 * @example
 * ```ts
 * import { randomBytes } from 'node:crypto';
 * import { defineEncryptedFields } from '@portcullis/envelope';
 * interface Customer { id: string; email: string; ssn: string }
 * const customerFields = defineEncryptedFields<Customer>({
 *   fields: { email: { blindIndex: 'emailIndex', normalize: (v) => String(v).toLowerCase() }, ssn: {} },
 *   blindIndexKey: randomBytes(32),
 * });
 * customerFields.blindIndex('email', 'Ada@example.com') === customerFields.blindIndex('email', 'ada@example.com'); // true
 * ```
 */
export function defineEncryptedFields<T extends object>(
  options: EncryptedFieldsOptions<T>,
): EncryptedFields<T> {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('options', 'an object');
  refuseUnknownKeys(options, ['fields', 'schema', 'blindIndexKey', 'blindIndexBytes'], 'options');
  const specs = options.fields as Record<string, EncryptedFieldSpec | undefined>;
  if (typeof specs !== 'object' || specs === null || Object.keys(specs).length === 0)
    throw invalidArgument('options.fields', 'an object naming at least one field');
  if (options.schema !== undefined && typeof options.schema?.parse !== 'function')
    throw invalidArgument('options.schema', 'an object with parse()');
  const bytes = options.blindIndexBytes ?? 16;
  if (!Number.isInteger(bytes) || bytes < 8 || bytes > 32)
    throw invalidArgument(
      'options.blindIndexBytes',
      'an integer between 8 and 32',
      typeof bytes === 'number' ? 'value' : 'type',
    );
  const indexes: Record<string, string> = {};
  const normalizers: Record<string, (value: unknown) => string> = {};
  for (const [field, spec] of Object.entries(specs)) {
    if (spec === undefined) continue;
    refuseUnknownKeys(spec, ['blindIndex', 'normalize'], `options.fields.${field}`);
    if (spec.blindIndex !== undefined) {
      if (
        typeof spec.blindIndex !== 'string' ||
        spec.blindIndex.length === 0 ||
        Object.hasOwn(specs, spec.blindIndex) ||
        Object.values(indexes).includes(spec.blindIndex)
      )
        throw invalidArgument(
          `options.fields.${field}.blindIndex`,
          'the name of a field that is not itself encrypted nor the index of another field',
        );
      indexes[field] = spec.blindIndex;
    }
    normalizers[field] = spec.normalize ?? ((v) => String(v));
  }
  const raw = options.blindIndexKey === undefined ? undefined : reveal(options.blindIndexKey);
  if (Object.keys(indexes).length > 0 && (!(raw instanceof Uint8Array) || raw.length < 32))
    throw invalidArgument(
      'options.blindIndexKey',
      'at least 32 bytes of key (a blind index is configured)',
    );
  const keys = new Map<string, KeyObject>();
  for (const field of Object.keys(indexes))
    keys.set(
      field,
      createSecretKey(
        new Uint8Array(hkdfSync('sha256', raw as Uint8Array, new Uint8Array(), INFO + field, 32)),
      ),
    );
  return {
    fields: Object.freeze(Object.keys(specs).filter((f) => specs[f] !== undefined)),
    indexes: Object.freeze(indexes),
    schema: options.schema,
    blindIndex(field, value) {
      const key = keys.get(field);
      if (key === undefined) throw invalidArgument('field', 'a field with a blind index', 'value');
      const text = (normalizers[field] as (value: unknown) => string)(value);
      return createHmac('sha256', key)
        .update(text, 'utf8')
        .digest()
        .subarray(0, bytes)
        .toString('base64url');
    },
  };
}
