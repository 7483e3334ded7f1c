-- The ledger's Merkle tree (RFC 9162) and its signed checkpoints
-- (C2SP tlog-checkpoint), so that the books can be checked by people who do
-- not run the database. docs/ledger-log.md describes both.

-- Every complete subtree's hash, once, at the index Go's tlog layout gives
-- it (C2SP tlog-tiles serves from the same numbering): the leaf of ledger
-- entry `seq` is at the index of level 0, number seq - 1. The writer adds
-- a batch's hashes in the transaction that adds its entries. The entries
-- before this migration are added when the service next starts.
CREATE TABLE ledger_tree (
    idx  INTEGER PRIMARY KEY,
    hash BLOB    NOT NULL CHECK (length(hash) = 32)
);
CREATE TRIGGER ledger_tree_is_append_only_update BEFORE UPDATE ON ledger_tree
BEGIN SELECT RAISE(ABORT, 'the ledger tree is append-only'); END;
CREATE TRIGGER ledger_tree_is_append_only_delete BEFORE DELETE ON ledger_tree
BEGIN SELECT RAISE(ABORT, 'the ledger tree is append-only'); END;

-- The log's Ed25519 key: one row. The seed is AES-256-GCM sealed under
-- XINYI_MASTER_KEY (nonce || ciphertext, the key's name bound as associated
-- data) when sealed = 1, raw otherwise, like the signing keys.
CREATE TABLE ledger_log_key (
    one        INTEGER PRIMARY KEY CHECK (one = 1),
    origin     TEXT    NOT NULL,
    public_key BLOB    NOT NULL CHECK (length(public_key) = 32),
    secret     BLOB    NOT NULL,
    sealed     INTEGER NOT NULL CHECK (sealed IN (0, 1)),
    created_at INTEGER NOT NULL
);
CREATE TRIGGER ledger_log_key_is_kept BEFORE UPDATE ON ledger_log_key
BEGIN SELECT RAISE(ABORT, 'the log key is never replaced'); END;
CREATE TRIGGER ledger_log_key_is_not_deleted BEFORE DELETE ON ledger_log_key
BEGIN SELECT RAISE(ABORT, 'the log key is never replaced'); END;

-- Every checkpoint the service signed, the signed note as served. One
-- root per size, and sizes only grow: the service checks the tree against
-- the newest before it signs the next.
CREATE TABLE ledger_checkpoints (
    size      INTEGER PRIMARY KEY CHECK (size >= 0),
    root      BLOB    NOT NULL CHECK (length(root) = 32),
    note      TEXT    NOT NULL,
    signed_at INTEGER NOT NULL
);
CREATE TRIGGER ledger_checkpoints_are_append_only_update BEFORE UPDATE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER ledger_checkpoints_are_append_only_delete BEFORE DELETE ON ledger_checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
