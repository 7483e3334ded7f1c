//! The log's key and the checkpoints it signed. Checkpoints are stored by
//! the engine's batch write (`batch_writes`), under the writer lock, each
//! only above every one stored, so their sizes only grow.

use super::rows::StoredRow;
use super::{Store, StoreError, unix};
use time::OffsetDateTime;
use xinyi_merchant_sdk::merkle::Hash;

/// The log's Ed25519 key as stored: `secret` is sealed under the master
/// key when `sealed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredLogKey {
    pub origin: String,
    pub public_key: [u8; 32],
    pub secret: Vec<u8>,
    pub sealed: bool,
}

/// A checkpoint the log signed: its size, root, and the signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub size: u64,
    pub root: Hash,
    pub note: String,
}

const CHECKPOINT_COLUMNS: &str = "SELECT size, root, note FROM ledger_checkpoints";

fn checkpoint(row: &sqlx::any::AnyRow) -> Result<StoredCheckpoint, StoreError> {
    let size = row.int("size")?;
    Ok(StoredCheckpoint {
        size: u64::try_from(size).map_err(|_| StoreError::Corrupt(format!("checkpoint size {size}")))?,
        root: row.bytes("root")?.try_into().map_err(|_| StoreError::Corrupt("a checkpoint root".into()))?,
        note: row.text("note")?,
    })
}

impl Store {
    /// The log key: `candidate` is stored if there is none yet, and the
    /// stored one is returned, so nodes starting together agree on one.
    pub async fn log_key(&self, candidate: &StoredLogKey, now: OffsetDateTime) -> Result<StoredLogKey, StoreError> {
        sqlx::query(
            "INSERT INTO ledger_log_key (one, origin, public_key, secret, sealed, created_at) \
             VALUES (1, $1, $2, $3, $4, $5) ON CONFLICT (one) DO NOTHING",
        )
        .bind(&candidate.origin)
        .bind(candidate.public_key.as_slice())
        .bind(&candidate.secret)
        .bind(candidate.sealed as i64)
        .bind(unix(now))
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT origin, public_key, secret, sealed FROM ledger_log_key WHERE one = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(StoredLogKey {
            origin: row.text("origin")?,
            public_key: row.bytes("public_key")?.try_into().map_err(|_| StoreError::Corrupt("the log key".into()))?,
            secret: row.bytes("secret")?,
            sealed: row.flag("sealed")?,
        })
    }

    /// The log key's origin and public key, if one was made.
    pub async fn log_public_key(&self) -> Result<Option<(String, [u8; 32])>, StoreError> {
        let row = sqlx::query("SELECT origin, public_key FROM ledger_log_key WHERE one = 1")
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let key = row.bytes("public_key")?.try_into().map_err(|_| StoreError::Corrupt("the log key".into()))?;
        Ok(Some((row.text("origin")?, key)))
    }

    /// The newest checkpoint signed, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<StoredCheckpoint>, StoreError> {
        let sql = format!("{CHECKPOINT_COLUMNS} ORDER BY size DESC LIMIT 1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_optional(&self.pool).await?;
        row.as_ref().map(checkpoint).transpose()
    }

    /// The checkpoint signed at `size`, if one was.
    pub async fn checkpoint_of_size(&self, size: u64) -> Result<Option<StoredCheckpoint>, StoreError> {
        let sql = format!("{CHECKPOINT_COLUMNS} WHERE size = $1");
        let size = i64::try_from(size).map_err(|_| StoreError::Corrupt("a size over i64".into()))?;
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(size).fetch_optional(&self.pool).await?;
        row.as_ref().map(checkpoint).transpose()
    }

    /// The number of ledger entries, as committed.
    pub async fn ledger_size(&self) -> Result<u64, StoreError> {
        let row = sqlx::query("SELECT COALESCE(MAX(seq), 0) AS n FROM ledger").fetch_one(&self.pool).await?;
        let n = row.int("n")?;
        u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("ledger seq {n}")))
    }

    /// The ledger entry of a redemption, or of its reversal.
    pub async fn redemption_entry(
        &self,
        redemption_id: &str,
        reversal: bool,
    ) -> Result<Option<crate::domain::ledger::LedgerEntry>, StoreError> {
        let seq = if reversal { "void_ledger_seq" } else { "ledger_seq" };
        let sql = format!(
            "{} WHERE seq = (SELECT {seq} FROM redemptions WHERE redemption_id = $1)",
            super::disputes::LEDGER_COLUMNS
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(redemption_id).fetch_optional(&self.pool).await?;
        row.as_ref().map(super::rows::ledger_entry).transpose()
    }
}
