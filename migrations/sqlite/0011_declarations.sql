-- Declarations (信息申报): what a citizen declares for a department to
-- confirm. An approval records a score event whose event_id is the
-- declaration's id, in the same transaction as the decision.
CREATE TABLE declarations (
    declaration_id  TEXT    PRIMARY KEY,
    citizen_number  INTEGER NOT NULL REFERENCES citizens (number),
    source          TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    -- The declared day, YYYY-MM-DD in China Standard Time.
    occurred_on     TEXT    NOT NULL,
    evidence        TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    due_by          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    -- The deciding principal's id, and the points an approval gave.
    decided_by      TEXT,
    decision_reason TEXT,
    delta           INTEGER,
    CHECK ((status = 'approved') = (delta IS NOT NULL))
);
CREATE INDEX declarations_by_citizen ON declarations (citizen_number, created_at);
CREATE INDEX declarations_queue ON declarations (source, status, created_at);
