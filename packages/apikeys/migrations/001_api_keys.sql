-- @portcullis/apikeys: the key table. Only an id and a keyed hash of each key are stored.
CREATE TABLE IF NOT EXISTS "api_keys" (
  id           text PRIMARY KEY,
  prefix       text NOT NULL,
  hash         text NOT NULL,
  name         text NOT NULL,
  owner        text NOT NULL,
  scopes       text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz,
  rotated_from text
);
CREATE INDEX IF NOT EXISTS api_keys_owner_idx ON "api_keys" (owner, created_at DESC);
