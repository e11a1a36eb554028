-- @portcullis/store-postgres: the Store's table. Keys and values are UTF-8 bytes; expiry runs
-- on the database's clock. PostgresStore.sweep() removes expired rows.
CREATE TABLE IF NOT EXISTS "portcullis_store" (
  key        bytea PRIMARY KEY,
  value      bytea NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS portcullis_store_expires_idx ON "portcullis_store" (expires_at);
