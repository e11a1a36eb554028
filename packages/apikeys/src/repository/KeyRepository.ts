/**
 * What is stored for an API key: its public id and a keyed hash of the whole key, never the key.
 * A stolen table is useless without the pepper, which lives in a secrets manager, not beside it.
 */
export interface ApiKeyRecord {
  /** The key's public id (16 base62 characters, part of the key). */
  id: string;
  /** The key's prefix, e.g. `'pc_live'`. */
  prefix: string;
  /** HMAC-SHA-256 of the full key with the pepper, hex. */
  hash: string;
  /** A name for people, e.g. `'billing-sync (prod)'`. Not secret. */
  name: string;
  /** Who the key belongs to (a tenant, a partner, a service account). */
  owner: string;
  /** What the key may do. */
  scopes: readonly string[];
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** When the key stops working, in milliseconds since the epoch; `null` for never. */
  expiresAt: number | null;
  /** When the key was revoked; `null` while it is not. */
  revokedAt: number | null;
  /** The last verification that accepted the key (updated at most once per `lastUsedResolutionMs`). */
  lastUsedAt: number | null;
  /** The key this one replaced in a rotation, if any. */
  rotatedFrom: string | null;
}

/** The fields of a stored key that change after it is issued. */
export type ApiKeyChanges = Partial<Pick<ApiKeyRecord, 'expiresAt' | 'revokedAt' | 'lastUsedAt'>>;

/**
 * Where key records live. Implement it for your database; `MemoryKeyRepository` and
 * `PostgresKeyRepository` are provided. Every method may reject: the caller bounds each call in
 * time and turns failures into `ERR_APIKEY_REPOSITORY_UNAVAILABLE`.
 */
export interface KeyRepository {
  /** Stores a new record. Ids are random and unique; an id clash must reject. */
  insert(record: ApiKeyRecord): Promise<void>;
  /** The record with `id`, or `undefined`. */
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  /**
   * Applies `changes` to the record with `id`; returns whether it existed. A `lastUsedAt` change
   * must never move the stored time backwards, and `expiresAt`/`revokedAt` only ever move earlier.
   */
  update(id: string, changes: ApiKeyChanges): Promise<boolean>;
  /** The records of `owner`, newest first (for listings: ids and names, never secrets). */
  listByOwner(owner: string): Promise<readonly ApiKeyRecord[]>;
}
