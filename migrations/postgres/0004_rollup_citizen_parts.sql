-- A rollup's citizen list is kept in parts of a bounded size (the engine's
-- CITIZEN_PART_CAPACITY), so a
-- batch of redemptions rewrites at most one bounded part per rollup instead
-- of a list that grows all day. Part 0 carries the sums; later parts carry
-- only citizens (their sums are zero). A citizen may appear in two parts:
-- reports count citizens exactly however often they are listed.
ALTER TABLE reduction_rollups ADD COLUMN part BIGINT NOT NULL DEFAULT 0;
ALTER TABLE reduction_rollups DROP CONSTRAINT reduction_rollups_pkey;
ALTER TABLE reduction_rollups ADD PRIMARY KEY (day, merchant_id, offer_id, level, part);
ALTER TABLE reduction_rollups ALTER COLUMN part DROP DEFAULT;
