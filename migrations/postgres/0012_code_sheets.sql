-- Printed code sheets (纸质信用码) for residents without a phone. The codes
-- themselves are not stored (they are signed and sealed like phone codes);
-- each one's code id is, with its sheet and number, so that a redemption
-- can refuse the codes of a revoked sheet and a sheet can list what of it
-- was used.
CREATE TABLE code_sheets (
    sheet_id       TEXT    PRIMARY KEY,
    citizen_number BIGINT NOT NULL REFERENCES citizens (number),
    -- The key that signed every code of the sheet: it stays published
    -- until valid_until.
    kid            TEXT    NOT NULL REFERENCES signing_keys (kid),
    codes          BIGINT NOT NULL CHECK (codes BETWEEN 1 AND 20),
    created_at     BIGINT NOT NULL,
    valid_until    BIGINT NOT NULL,
    -- The staff principal who made it at a counter; none when the citizen did.
    created_by     TEXT,
    revoked_at     BIGINT,
    revoked_by     TEXT
);
CREATE INDEX code_sheets_by_citizen ON code_sheets (citizen_number, created_at);
CREATE INDEX code_sheets_by_key ON code_sheets (kid, valid_until);

CREATE TABLE paper_codes (
    code_id  TEXT    PRIMARY KEY,
    sheet_id TEXT    NOT NULL REFERENCES code_sheets (sheet_id),
    number   BIGINT NOT NULL,
    UNIQUE (sheet_id, number)
);

-- What a redemption's code was shown on, and the level the code carried
-- when the level applied was lower (a paper code of a citizen whose score
-- has since fallen).
ALTER TABLE redemptions ADD COLUMN medium TEXT NOT NULL DEFAULT 'phone' CHECK (medium IN ('phone', 'paper'));
ALTER TABLE redemptions ADD COLUMN code_level BIGINT;
