-- Family proxies (亲友代办): a citizen lets a family member show codes for
-- them. The grantor makes a 6-digit invitation; the family member, signed
-- in as themselves, accepts it and gets a grant.
CREATE TABLE proxy_invitations (
    invitation_id  TEXT    PRIMARY KEY,
    -- The six digits: a 10-minute, single-use secret passed by word of mouth.
    digits         TEXT    NOT NULL CHECK (length(digits) = 6),
    grantor_number BIGINT NOT NULL REFERENCES citizens (number),
    days           BIGINT NOT NULL CHECK (days BETWEEN 1 AND 90),
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    accepted_at    BIGINT,
    grant_id       TEXT
);
CREATE INDEX proxy_invitations_by_digits ON proxy_invitations (digits, expires_at);

CREATE TABLE proxy_grants (
    grant_id       TEXT    PRIMARY KEY,
    grantor_number BIGINT NOT NULL REFERENCES citizens (number),
    proxy_number   BIGINT NOT NULL REFERENCES citizens (number),
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    ended_at       BIGINT,
    ended_by       TEXT CHECK (ended_by IN ('grantor', 'proxy')),
    CHECK (grantor_number <> proxy_number)
);
CREATE INDEX proxy_grants_by_grantor ON proxy_grants (grantor_number, created_at);
CREATE INDEX proxy_grants_by_proxy ON proxy_grants (proxy_number, created_at);

-- Every code a proxy fetched, so that the grantor sees it and a code of an
-- ended grant is refused at redemption.
CREATE TABLE proxy_codes (
    code_id    TEXT    PRIMARY KEY,
    grant_id   TEXT    NOT NULL REFERENCES proxy_grants (grant_id),
    issued_at  BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX proxy_codes_by_grant ON proxy_codes (grant_id, issued_at);

-- Wrong invitations tried, for the lock-out after five in an hour.
CREATE TABLE proxy_accept_failures (
    citizen_number BIGINT NOT NULL REFERENCES citizens (number),
    failed_at      BIGINT NOT NULL
);
CREATE INDEX proxy_accept_failures_by_citizen ON proxy_accept_failures (citizen_number, failed_at);
