-- Times are Unix seconds (UTC). Money, when it arrives, is integer fen.

CREATE TABLE citizens (
    -- The internal number sealed into credit-code handles; never shown to anyone.
    number       BIGSERIAL PRIMARY KEY,
    -- The identity provider's `sub`.
    citizen_id   TEXT    NOT NULL UNIQUE,
    -- Sum of all score events, kept in the same transaction as each event,
    -- so reading a score never scans history.
    score_delta  BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL
);

CREATE TABLE score_events (
    event_id       TEXT    PRIMARY KEY,
    citizen_number BIGINT NOT NULL REFERENCES citizens(number),
    delta          BIGINT NOT NULL,
    reason         TEXT    NOT NULL,
    source         TEXT    NOT NULL,
    occurred_at    BIGINT NOT NULL,
    recorded_at    BIGINT NOT NULL
);
CREATE INDEX score_events_by_citizen ON score_events (citizen_number, occurred_at DESC);

CREATE TABLE coordinators (
    name        TEXT    PRIMARY KEY,
    -- SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash  TEXT    NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE signing_keys (
    kid          TEXT    PRIMARY KEY,
    public_key   BYTEA    NOT NULL,
    -- The 32-byte Ed25519 seed: AES-256-GCM sealed under XINYI_MASTER_KEY
    -- (nonce || ciphertext) when sealed = 1, raw otherwise.
    secret       BYTEA    NOT NULL,
    sealed       BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    sign_from    BIGINT NOT NULL,
    sign_until   BIGINT
);
