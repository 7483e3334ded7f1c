-- The scenario catalogue: merchant categories become data. The four codes
-- merchants have used since the start are seeded here, so every existing
-- merchant, ledger entry, rollup and report keeps its category.
CREATE TABLE categories (
    code       TEXT    PRIMARY KEY,
    name_zh    TEXT    NOT NULL,
    name_en    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
INSERT INTO categories (code, name_zh, name_en, created_at) VALUES
    ('law_firm', '律师事务所', 'Law firms', 0),
    ('mall', '商场', 'Malls', 0),
    ('housekeeping', '家政服务', 'Housekeeping', 0),
    ('other', '其他', 'Other', 0);

-- merchants.category refers to the catalogue instead of a CHECK of the four.
ALTER TABLE merchants DROP CONSTRAINT merchants_category_check;
ALTER TABLE merchants ADD CONSTRAINT merchants_category_fkey FOREIGN KEY (category) REFERENCES categories (code);
CREATE INDEX merchants_by_category ON merchants (category);
