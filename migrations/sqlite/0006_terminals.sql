-- The checkout terminal (merchant key) that recorded each redemption, and
-- the one that voided it (NULL when a coordinator voided it on a dispute).
-- The label is copied as it was then, so a settled day's statement never
-- changes when a key is renamed or revoked. Rows from before this
-- migration have no terminal.
ALTER TABLE redemptions ADD COLUMN terminal_key_id TEXT;
ALTER TABLE redemptions ADD COLUMN terminal_label TEXT;
ALTER TABLE redemptions ADD COLUMN void_terminal_key_id TEXT;
ALTER TABLE redemptions ADD COLUMN void_terminal_label TEXT;

-- A daily statement lists the voids of the day by the void's own time.
-- Voids are rare, so the index costs a redemption nothing.
CREATE INDEX redemptions_voided_by_merchant ON redemptions (merchant_id, voided_at) WHERE voided_at IS NOT NULL;
