-- Where a merchant is, for the public directory of where codes work: a
-- street address, and optionally a WGS-84 point in millionths of a degree
-- (about 0.1 m; integers, so a point reads back exactly as written).
ALTER TABLE merchants ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE merchants ADD COLUMN lat_e6 INTEGER;
ALTER TABLE merchants ADD COLUMN lon_e6 INTEGER;
