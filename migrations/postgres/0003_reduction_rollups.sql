-- Report rollups, kept in the same transaction as each ledger append, so a
-- report reads one row per (day, merchant, offer, level) instead of every
-- ledger entry. `day` is the calendar day in China Standard Time.
CREATE TABLE reduction_rollups (
    day          TEXT    NOT NULL,
    merchant_id  TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    offer_id     TEXT    NOT NULL,
    level        BIGINT NOT NULL,
    redemptions  BIGINT NOT NULL,
    reversals    BIGINT NOT NULL,
    gross_fen    BIGINT NOT NULL,
    reversed_fen BIGINT NOT NULL,
    -- The internal numbers of the citizens who redeemed: sorted little-endian
    -- u32s, for exact unique-citizen counts over any range and grouping.
    citizens     BYTEA    NOT NULL,
    PRIMARY KEY (day, merchant_id, offer_id, level)
);
