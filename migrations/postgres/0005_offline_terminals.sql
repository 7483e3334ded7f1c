-- A terminal whose key may queue scans while it is offline and send them
-- later (bounded by XINYI_OFFLINE_WINDOW_SECS). Every other key must send
-- a scan within XINYI_SCAN_GRACE_SECS of the server's clock.
ALTER TABLE merchant_keys ADD COLUMN offline BIGINT NOT NULL DEFAULT 0;

-- 1 when the redemption's scan was sent later than the grace allows an
-- online terminal, so coordinators can see back-dated redemptions.
ALTER TABLE redemptions ADD COLUMN offline BIGINT NOT NULL DEFAULT 0;

-- How many of a rollup's redemptions were scanned offline, for reports.
ALTER TABLE reduction_rollups ADD COLUMN offline_redemptions BIGINT NOT NULL DEFAULT 0;
