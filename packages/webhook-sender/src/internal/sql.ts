import { invalidArgument } from '@portcullis/core';

const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a schema name: lower-case letters, digits and `_`, not starting with a digit, ≤ 63. */
export function checkSchema(value: unknown, path: string): string {
  const what =
    'a schema name of lower-case letters, digits and "_" (at most 63, not starting with a digit)';
  if (typeof value !== 'string') throw invalidArgument(path, what);
  if (!SCHEMA.test(value)) throw invalidArgument(path, what, 'value');
  return value;
}

/** The statements, for one (validated) schema. Every value is a `$n` parameter. */
export interface Statements {
  enqueue: string;
  claim: string;
  complete: string;
  release: string;
  endpointSucceeded: string;
  endpointFailed: string;
  disableEndpoint: string;
  enableEndpoint: string;
  insertEndpoint: string;
  getEndpoint: string;
  messageExists: string;
  resendAll: string;
  resendOne: string;
  recover: string;
  listAttempts: string;
  listDeliveries: string;
}

/** Builds the statements for `schema` (already checked by {@link checkSchema}). */
export function statements(schema: string): Statements {
  const s = `"${schema}"`;
  return {
    // One round trip: the message and its fan-out in one statement (the deliveries' foreign key is
    // checked at the statement's end, when the message row exists). A repeated id inserts nothing.
    enqueue: `WITH m AS (
        INSERT INTO ${s}.messages (id, event_type, payload, sealed, subject, created_at)
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING id
      ), d AS (
        INSERT INTO ${s}.deliveries
          (message_id, endpoint_id, status, attempts, next_attempt_at, updated_at)
        SELECT m.id, e.id, 'pending', 0, $6, $6 FROM m CROSS JOIN ${s}.endpoints e
        WHERE e.disabled_at IS NULL
          AND (e.event_types IS NULL OR $2 = ANY (e.event_types))
          AND ($7::text[] IS NULL OR e.id = ANY ($7::text[]))
        ON CONFLICT DO NOTHING RETURNING 1
      )
      SELECT (SELECT count(*) FROM m)::int AS inserted, (SELECT count(*) FROM d)::int AS deliveries`,
    claim: `WITH due AS (
        SELECT d.message_id, d.endpoint_id FROM ${s}.deliveries d
        JOIN ${s}.endpoints e ON e.id = d.endpoint_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= $1
          AND (d.lease_until IS NULL OR d.lease_until <= $1)
          AND e.disabled_at IS NULL
          AND NOT (d.endpoint_id = ANY ($3::text[]))
        ORDER BY d.next_attempt_at
        LIMIT $4
        FOR UPDATE OF d SKIP LOCKED
      )
      UPDATE ${s}.deliveries d
      SET lease_owner = $2::text || ':' || gen_random_uuid()::text,
          lease_until = $5, attempts = d.attempts + 1, updated_at = $1
      FROM due, ${s}.messages m, ${s}.endpoints e
      WHERE d.message_id = due.message_id AND d.endpoint_id = due.endpoint_id
        AND m.id = d.message_id AND e.id = d.endpoint_id
      RETURNING d.message_id, d.endpoint_id, d.attempts, d.lease_owner, m.event_type, m.payload,
        m.sealed, m.subject, e.url, e.secret_ref, e.schedule_ms, e.rate_per_sec, e.max_concurrency`,
    // A delivery resent during the attempt (its attempts reset, so no longer $10) stays pending at
    // the time the resend set: the resend is still owed once this attempt is recorded.
    complete: `WITH d AS (
        UPDATE ${s}.deliveries SET status = CASE WHEN attempts = $10 THEN $4 ELSE 'pending' END,
          next_attempt_at = CASE WHEN attempts = $10 THEN $5 ELSE next_attempt_at END,
          lease_owner = NULL,
          lease_until = NULL, last_status = $6, last_latency_ms = $7, last_error = $8, updated_at = $9
        WHERE message_id = $1 AND endpoint_id = $2 AND lease_owner = $3 AND status = 'pending'
        RETURNING status
      )
      INSERT INTO ${s}.attempts (message_id, endpoint_id, attempt, worker, started_at, outcome,
        http_status, latency_ms, error_code, lease_lost)
      SELECT $1, $2, $10, $11, $12, $13, $6, $7, $8, NOT EXISTS (SELECT 1 FROM d)
      RETURNING lease_lost, (SELECT status FROM d) AS status`,
    release: `UPDATE ${s}.deliveries SET lease_owner = NULL, lease_until = NULL,
        attempts = GREATEST(attempts - 1, 0), next_attempt_at = $4
      WHERE message_id = $1 AND endpoint_id = $2 AND lease_owner = $3`,
    // Every success of a busy endpoint would write (and lock) its one row, serialising the workers:
    // the row is written when it was failing, or when its last success is older than $3.
    endpointSucceeded: `UPDATE ${s}.endpoints SET last_success_at = $2, failing_since = NULL
      WHERE id = $1 AND (failing_since IS NOT NULL OR last_success_at IS NULL OR last_success_at < $3)`,
    endpointFailed: `UPDATE ${s}.endpoints SET failing_since = COALESCE(failing_since, $2)
      WHERE id = $1 RETURNING failing_since`,
    disableEndpoint: `UPDATE ${s}.endpoints SET disabled_at = $2, disabled_reason = $3
      WHERE id = $1 AND disabled_at IS NULL RETURNING failing_since`,
    enableEndpoint: `UPDATE ${s}.endpoints SET disabled_at = NULL, disabled_reason = NULL,
        failing_since = NULL WHERE id = $1`,
    insertEndpoint: `INSERT INTO ${s}.endpoints (id, url, secret_ref, event_types, schedule_ms,
        rate_per_sec, max_concurrency, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    getEndpoint: `SELECT * FROM ${s}.endpoints WHERE id = $1`,
    messageExists: `SELECT 1 FROM ${s}.messages WHERE id = $1`,
    // A resend never clears a lease that still holds: the attempt in flight is not doubled.
    resendAll: `UPDATE ${s}.deliveries SET status = 'pending', attempts = 0, next_attempt_at = $2,
        lease_owner = CASE WHEN lease_until > $2 THEN lease_owner END,
        lease_until = CASE WHEN lease_until > $2 THEN lease_until END, updated_at = $2
      WHERE message_id = $1`,
    resendOne: `INSERT INTO ${s}.deliveries
        (message_id, endpoint_id, status, attempts, next_attempt_at, updated_at)
      SELECT m.id, e.id, 'pending', 0, $3, $3 FROM ${s}.messages m, ${s}.endpoints e
      WHERE m.id = $1 AND e.id = $2
      ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = 'pending', attempts = 0,
        next_attempt_at = $3, lease_owner = CASE WHEN deliveries.lease_until > $3 THEN deliveries.lease_owner END,
        lease_until = CASE WHEN deliveries.lease_until > $3 THEN deliveries.lease_until END,
        updated_at = $3`,
    recover: `UPDATE ${s}.deliveries d SET status = 'pending', attempts = 0, next_attempt_at = $3,
        lease_owner = NULL, lease_until = NULL, updated_at = $3
      FROM ${s}.messages m
      WHERE d.endpoint_id = $1 AND d.status = 'exhausted' AND m.id = d.message_id
        AND m.created_at >= $2`,
    listAttempts: `SELECT * FROM ${s}.attempts
      WHERE ($1::text IS NULL OR message_id = $1) AND ($2::text IS NULL OR endpoint_id = $2)
      ORDER BY id DESC LIMIT $3`,
    listDeliveries: `SELECT * FROM ${s}.deliveries WHERE message_id = $1 ORDER BY endpoint_id`,
  };
}
