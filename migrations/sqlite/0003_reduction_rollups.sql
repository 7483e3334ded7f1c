-- Report rollups, kept in the same transaction as each ledger append, so a
-- report reads one row per (day, merchant, offer, level) instead of every
-- ledger entry. `day` is the calendar day in China Standard Time.
CREATE TABLE reduction_rollups (
    day          TEXT    NOT NULL,
    merchant_id  TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    offer_id     TEXT    NOT NULL,
    level        INTEGER NOT NULL,
    redemptions  INTEGER NOT NULL,
    reversals    INTEGER NOT NULL,
    gross_fen    INTEGER NOT NULL,
    reversed_fen INTEGER NOT NULL,
    -- Roaring bitmap of the internal numbers of citizens who redeemed, for
    -- exact unique-citizen counts over any range and grouping.
    citizens     BLOB    NOT NULL,
    PRIMARY KEY (day, merchant_id, offer_id, level)
);
