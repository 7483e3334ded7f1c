-- Staff principals with one role each (coordinator, department, auditor,
-- service_desk). Coordinators become principals of the first role, with
-- their names, tokens and revocations as they were.
CREATE TABLE principals (
    principal_id TEXT    PRIMARY KEY,
    role         TEXT    NOT NULL CHECK (role IN ('coordinator', 'department', 'auditor', 'service_desk')),
    name         TEXT    NOT NULL UNIQUE,
    -- A department's one score-event source and its largest change per
    -- event; NULL for every other role.
    source       TEXT,
    max_delta    BIGINT,
    -- SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash   TEXT    NOT NULL UNIQUE,
    created_at   BIGINT  NOT NULL,
    revoked_at   BIGINT,
    CHECK ((role = 'department') = (source IS NOT NULL AND max_delta IS NOT NULL))
);
CREATE INDEX principals_by_source ON principals (source) WHERE source IS NOT NULL;

INSERT INTO principals (principal_id, role, name, token_hash, created_at, revoked_at)
SELECT 'prn_' || substr(md5(random()::text || name), 1, 20), 'coordinator', name, token_hash, created_at, revoked_at
FROM coordinators;
DROP TABLE coordinators;

-- Who wrote each audited action: the principal's id and role beside its
-- name. Earlier rows were all coordinators'.
ALTER TABLE audit_log ADD COLUMN principal_id TEXT;
ALTER TABLE audit_log ADD COLUMN role TEXT;
UPDATE audit_log SET role = 'coordinator',
    principal_id = (SELECT p.principal_id FROM principals p WHERE p.name = audit_log.actor);
CREATE INDEX audit_log_by_principal ON audit_log (principal_id, id);
CREATE INDEX audit_log_by_role ON audit_log (role, id);

-- The audit log is append-only, like the ledger.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_log_is_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- What one department posted, newest first.
CREATE INDEX score_events_by_source ON score_events (source, recorded_at);
CREATE INDEX list_entries_by_source ON list_entries (source, starts_at);
