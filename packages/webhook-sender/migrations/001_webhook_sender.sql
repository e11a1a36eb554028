-- @portcullis/webhook-sender: the transactional outbox. `migrate(client, { schema })` runs this file
-- with `webhook_sender` replaced by the configured (validated) schema name; apply it by hand as is
-- for the default schema. Idempotent: every statement is IF NOT EXISTS.
CREATE SCHEMA IF NOT EXISTS webhook_sender;

-- Where messages go. Secrets are never stored: `secret_ref` names a secret in your secrets cache.
CREATE TABLE IF NOT EXISTS webhook_sender.endpoints (
  id text PRIMARY KEY,
  url text NOT NULL,
  secret_ref text NOT NULL,
  event_types text[],              -- NULL: every event type
  schedule_ms integer[],           -- NULL: the sender's schedule
  rate_per_sec double precision,   -- NULL: the sender's default
  max_concurrency integer,         -- NULL: the sender's default
  disabled_at timestamptz,
  disabled_reason text,
  failing_since timestamptz,       -- first failure since the last success
  last_success_at timestamptz,
  created_at timestamptz NOT NULL
);

-- One row per event. The payload is bytes (sealed by the payload cipher when one is set).
CREATE TABLE IF NOT EXISTS webhook_sender.messages (
  id text PRIMARY KEY,
  event_type text NOT NULL,
  payload bytea NOT NULL,
  sealed boolean NOT NULL,
  subject text,
  created_at timestamptz NOT NULL
);

-- One row per (message, endpoint): where its delivery stands. Never a payload.
CREATE TABLE IF NOT EXISTS webhook_sender.deliveries (
  message_id text NOT NULL REFERENCES webhook_sender.messages (id) ON DELETE CASCADE,
  endpoint_id text NOT NULL REFERENCES webhook_sender.endpoints (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'exhausted')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  lease_owner text,
  lease_until timestamptz,
  last_status integer,
  last_latency_ms integer,
  last_error text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (message_id, endpoint_id)
);
CREATE INDEX IF NOT EXISTS deliveries_due_idx
  ON webhook_sender.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_endpoint_idx
  ON webhook_sender.deliveries (endpoint_id, status);

-- Every request sent (or refused before sending): outcome, status, latency. Never a payload.
CREATE TABLE IF NOT EXISTS webhook_sender.attempts (
  id bigserial PRIMARY KEY,
  message_id text NOT NULL,
  endpoint_id text NOT NULL,
  attempt integer NOT NULL,
  worker text NOT NULL,
  started_at timestamptz NOT NULL,
  outcome text NOT NULL,
  http_status integer,
  latency_ms integer NOT NULL,
  error_code text,
  lease_lost boolean NOT NULL DEFAULT false
);
CREATE INDEX IF NOT EXISTS attempts_message_idx
  ON webhook_sender.attempts (message_id, endpoint_id, id);
