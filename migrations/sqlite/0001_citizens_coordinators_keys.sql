-- Times are Unix seconds (UTC). Money, when it arrives, is integer fen.

CREATE TABLE citizens (
    -- The internal number sealed into credit-code handles; never shown to anyone.
    number       INTEGER PRIMARY KEY AUTOINCREMENT,
    -- The identity provider's `sub`.
    citizen_id   TEXT    NOT NULL UNIQUE,
    -- Sum of all score events, kept in the same transaction as each event,
    -- so reading a score never scans history.
    score_delta  INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL
);

CREATE TABLE score_events (
    event_id       TEXT    PRIMARY KEY,
    citizen_number INTEGER NOT NULL REFERENCES citizens(number),
    delta          INTEGER NOT NULL,
    reason         TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    occurred_at    INTEGER NOT NULL,
    recorded_at    INTEGER NOT NULL
);
CREATE INDEX score_events_by_citizen ON score_events (citizen_number, occurred_at DESC);

CREATE TABLE coordinators (
    name        TEXT    PRIMARY KEY,
    -- SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);

CREATE TABLE signing_keys (
    kid          TEXT    PRIMARY KEY,
    public_key   BLOB    NOT NULL,
    -- The 32-byte Ed25519 seed: AES-256-GCM sealed under XINYI_MASTER_KEY
    -- (nonce || ciphertext) when sealed = 1, raw otherwise.
    secret       BLOB    NOT NULL,
    sealed       INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    sign_from    INTEGER NOT NULL,
    sign_until   INTEGER
);
