-- The city's red and black lists (守信红名单, 失信黑名单). An entry is active
-- from starts_at until ends_at (NULL: until ended), unless ended early
-- (ended_at, with its reason: a coordinator, or an approved credit repair).
CREATE TABLE list_entries (
    entry_id       TEXT    PRIMARY KEY,
    citizen_number INTEGER NOT NULL REFERENCES citizens (number),
    list           TEXT    NOT NULL CHECK (list IN ('black', 'red')),
    reason         TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    starts_at      INTEGER NOT NULL,
    ends_at        INTEGER,
    ended_at       INTEGER,
    end_reason     TEXT,
    created_at     INTEGER NOT NULL
);
-- Every redemption reads the black-list entries of its citizens.
CREATE INDEX list_entries_by_citizen ON list_entries (citizen_number, list);

-- Credit repair (信用修复): a citizen asks to lift a black-list entry or a
-- negative score event; a coordinator decides within 3 working days.
CREATE TABLE repairs (
    repair_id       TEXT    PRIMARY KEY,
    citizen_number  INTEGER NOT NULL REFERENCES citizens (number),
    entry_id        TEXT    REFERENCES list_entries (entry_id),
    event_id        TEXT    REFERENCES score_events (event_id),
    statement       TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    due_by          INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT,
    decision_reason TEXT,
    CHECK ((entry_id IS NULL) <> (event_id IS NULL))
);
-- One pending request per entry or event, enforced where two requests race.
CREATE UNIQUE INDEX one_pending_repair_per_entry ON repairs (entry_id) WHERE status = 'pending' AND entry_id IS NOT NULL;
CREATE UNIQUE INDEX one_pending_repair_per_event ON repairs (event_id) WHERE status = 'pending' AND event_id IS NOT NULL;
CREATE INDEX repairs_by_status ON repairs (status, created_at);
CREATE INDEX repairs_by_citizen ON repairs (citizen_number, created_at);
