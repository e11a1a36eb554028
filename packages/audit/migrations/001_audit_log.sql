-- @portcullis/audit: the tamper-evident trail. One row per entry; (chain, seq) is unique so a
-- second writer on the same chain fails instead of forking it.
CREATE TABLE IF NOT EXISTS "audit_log" (
  chain text   NOT NULL,
  seq   bigint NOT NULL,
  line  text   NOT NULL,
  PRIMARY KEY (chain, seq)
);
