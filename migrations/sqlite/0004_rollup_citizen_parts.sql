-- A rollup's citizen list is kept in parts of a bounded size (the engine's
-- CITIZEN_PART_CAPACITY), so a
-- batch of redemptions rewrites at most one bounded part per rollup instead
-- of a list that grows all day. Part 0 carries the sums; later parts carry
-- only citizens (their sums are zero). A citizen may appear in two parts:
-- reports count citizens exactly however often they are listed.
CREATE TABLE reduction_rollups_parted (
    day          TEXT    NOT NULL,
    merchant_id  TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    district     TEXT    NOT NULL,
    offer_id     TEXT    NOT NULL,
    level        INTEGER NOT NULL,
    part         INTEGER NOT NULL,
    redemptions  INTEGER NOT NULL,
    reversals    INTEGER NOT NULL,
    gross_fen    INTEGER NOT NULL,
    reversed_fen INTEGER NOT NULL,
    citizens     BLOB    NOT NULL,
    PRIMARY KEY (day, merchant_id, offer_id, level, part)
) WITHOUT ROWID;
INSERT INTO reduction_rollups_parted
SELECT day, merchant_id, category, district, offer_id, level, 0, redemptions, reversals, gross_fen, reversed_fen, citizens
FROM reduction_rollups;
DROP TABLE reduction_rollups;
ALTER TABLE reduction_rollups_parted RENAME TO reduction_rollups;
