-- The ledger's Merkle tree (RFC 9162) and its signed checkpoints
-- (C2SP tlog-checkpoint), so that the books can be checked by people who do
-- not run the database. docs/ledger-log.md describes both.

-- Every complete subtree's hash, once, at the index Go's tlog layout gives
-- it (C2SP tlog-tiles serves from the same numbering): the leaf of ledger
-- entry `seq` is at the index of level 0, number seq - 1. The writer adds
-- a batch's hashes in the transaction that adds its entries. The entries
-- before this migration are added when the service next starts.
CREATE TABLE ledger_tree (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA  NOT NULL CHECK (length(hash) = 32)
);
CREATE FUNCTION ledger_tree_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the ledger tree is append-only'; END $$;
CREATE TRIGGER ledger_tree_is_append_only BEFORE UPDATE OR DELETE ON ledger_tree
FOR EACH ROW EXECUTE FUNCTION ledger_tree_is_append_only();

-- The log's Ed25519 key: one row. The seed is AES-256-GCM sealed under
-- XINYI_MASTER_KEY (nonce || ciphertext, the key's name bound as associated
-- data) when sealed = 1, raw otherwise, like the signing keys.
CREATE TABLE ledger_log_key (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    origin     TEXT    NOT NULL,
    public_key BYTEA   NOT NULL CHECK (length(public_key) = 32),
    secret     BYTEA   NOT NULL,
    sealed     INTEGER NOT NULL CHECK (sealed IN (0, 1)),
    created_at BIGINT  NOT NULL
);
CREATE FUNCTION ledger_log_key_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the log key is never replaced'; END $$;
CREATE TRIGGER ledger_log_key_is_kept BEFORE UPDATE OR DELETE ON ledger_log_key
FOR EACH ROW EXECUTE FUNCTION ledger_log_key_is_kept();

-- Every checkpoint the service signed, the signed note as served. One
-- root per size, and sizes only grow: the service checks the tree against
-- the newest before it signs the next.
CREATE TABLE ledger_checkpoints (
    size      BIGINT PRIMARY KEY CHECK (size >= 0),
    root      BYTEA  NOT NULL CHECK (length(root) = 32),
    note      TEXT   NOT NULL,
    signed_at BIGINT NOT NULL
);
CREATE FUNCTION ledger_checkpoints_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'checkpoints are append-only'; END $$;
CREATE TRIGGER ledger_checkpoints_are_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
FOR EACH ROW EXECUTE FUNCTION ledger_checkpoints_are_append_only();
