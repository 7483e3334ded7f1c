-- Merchants, offers, redemptions, the reduced-fee ledger, disputes and the audit log.
-- Money is integer fen; times are Unix seconds (UTC).

CREATE TABLE merchants (
    merchant_id  TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    category     TEXT    NOT NULL CHECK (category IN ('law_firm', 'mall', 'housekeeping', 'other')),
    district     TEXT    NOT NULL,
    suspended_at BIGINT,
    created_at   BIGINT NOT NULL
);

CREATE TABLE merchant_keys (
    key_id      TEXT    PRIMARY KEY,
    merchant_id TEXT    NOT NULL REFERENCES merchants (merchant_id),
    label       TEXT    NOT NULL,
    -- SHA-256 of the API key; the key itself is shown once.
    key_hash    TEXT    NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE offers (
    offer_id      TEXT    PRIMARY KEY,
    merchant_id   TEXT    NOT NULL REFERENCES merchants (merchant_id),
    -- The checked offer (tiers, limit, budgets, window) as JSON.
    rules         TEXT    NOT NULL,
    -- Granted so far, net of voids; updated in the redemption's transaction.
    granted_fen   BIGINT NOT NULL DEFAULT 0,
    granted_count BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX offers_by_merchant ON offers (merchant_id);

CREATE TABLE redemptions (
    redemption_id   TEXT    PRIMARY KEY,
    -- A code redeems once, at any merchant, voided or not.
    code_id         TEXT    NOT NULL UNIQUE,
    merchant_id     TEXT    NOT NULL REFERENCES merchants (merchant_id),
    offer_id        TEXT    NOT NULL REFERENCES offers (offer_id),
    citizen_number  BIGINT NOT NULL REFERENCES citizens (number),
    level           BIGINT NOT NULL,
    amount_fen      BIGINT NOT NULL,
    discount_fen    BIGINT NOT NULL,
    payable_fen     BIGINT NOT NULL,
    period_key      TEXT,
    scanned_at      BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    ledger_seq      BIGINT NOT NULL,
    voided_at       BIGINT,
    void_ledger_seq BIGINT
);
CREATE INDEX redemptions_by_merchant ON redemptions (merchant_id, created_at DESC);
CREATE INDEX redemptions_by_citizen ON redemptions (citizen_number, created_at DESC);

CREATE TABLE citizen_offer_usage (
    offer_id       TEXT    NOT NULL,
    citizen_number BIGINT NOT NULL,
    period_key     TEXT    NOT NULL,
    used           BIGINT NOT NULL,
    PRIMARY KEY (offer_id, citizen_number, period_key)
);

-- Kept as long as the ledger: a retry with the same key always gets the first answer.
CREATE TABLE idempotency_keys (
    merchant_id     TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    request_hash    TEXT    NOT NULL,
    redemption_id   TEXT    NOT NULL REFERENCES redemptions (redemption_id),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, idempotency_key)
);

CREATE TABLE ledger (
    seq               BIGINT PRIMARY KEY,
    at                BIGINT NOT NULL,
    kind              TEXT    NOT NULL CHECK (kind IN ('redemption', 'reversal')),
    redemption_id     TEXT    NOT NULL,
    merchant_id       TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    district          TEXT    NOT NULL,
    offer_id          TEXT    NOT NULL,
    level             BIGINT NOT NULL,
    citizen_pseudonym TEXT    NOT NULL,
    amount_fen        BIGINT NOT NULL,
    discount_fen      BIGINT NOT NULL,
    payable_fen       BIGINT NOT NULL,
    prev_hash         TEXT    NOT NULL,
    hash              TEXT    NOT NULL
);
-- Append-only, enforced by the database too; `xinyi ledger verify` catches
-- whoever edits the file anyway.
CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the reduced-fee ledger is append-only'; END $$;
CREATE TRIGGER ledger_is_append_only BEFORE UPDATE OR DELETE ON ledger
FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only();

CREATE TABLE disputes (
    dispute_id     TEXT    PRIMARY KEY,
    redemption_id  TEXT    NOT NULL REFERENCES redemptions (redemption_id),
    citizen_number BIGINT NOT NULL,
    reason         TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('open', 'voided', 'rejected')),
    note           TEXT,
    created_at     BIGINT NOT NULL,
    resolved_at    BIGINT,
    resolved_by    TEXT
);
CREATE UNIQUE INDEX one_open_dispute_per_redemption ON disputes (redemption_id) WHERE status = 'open';

CREATE TABLE audit_log (
    id     BIGSERIAL PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    detail TEXT    NOT NULL
);

CREATE TABLE service_secrets (
    name       TEXT    PRIMARY KEY,
    value      BYTEA    NOT NULL,
    sealed     BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
