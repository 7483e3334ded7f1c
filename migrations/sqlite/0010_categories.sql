-- no-transaction
-- The scenario catalogue: merchant categories become data. The four codes
-- merchants have used since the start are seeded here, so every existing
-- merchant, ledger entry, rollup and report keeps its category.
--
-- merchants.category loses its CHECK of the four codes and refers to the
-- catalogue instead. SQLite cannot drop a constraint, so the table is
-- rebuilt by SQLite's own procedure (sqlite.org/lang_altertable.html,
-- "other kinds of table schema changes"): foreign keys off outside the
-- transaction, the new table filled, the old one dropped, the new renamed,
-- and the foreign keys checked before the commit.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE categories (
    code       TEXT    PRIMARY KEY,
    name_zh    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
INSERT INTO categories (code, name_zh, name_en, created_at) VALUES
    ('law_firm', '律师事务所', 'Law firms', 0),
    ('mall', '商场', 'Malls', 0),
    ('housekeeping', '家政服务', 'Housekeeping', 0),
    ('other', '其他', 'Other', 0);

CREATE TABLE merchants_with_catalogue (
    merchant_id  TEXT    PRIMARY KEY,
    name         TEXT    NOT NULL,
    category     TEXT    NOT NULL REFERENCES categories (code),
    district     TEXT    NOT NULL,
    suspended_at INTEGER,
    created_at   INTEGER NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    lat_e6       INTEGER,
    lon_e6       INTEGER
);
INSERT INTO merchants_with_catalogue (merchant_id, name, category, district, suspended_at, created_at, address, lat_e6, lon_e6)
SELECT merchant_id, name, category, district, suspended_at, created_at, address, lat_e6, lon_e6 FROM merchants;
DROP TABLE merchants;
ALTER TABLE merchants_with_catalogue RENAME TO merchants;
CREATE INDEX merchants_by_category ON merchants (category);

COMMIT;
PRAGMA foreign_keys = ON;
