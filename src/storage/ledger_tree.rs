//! The ledger's Merkle tree as stored: every complete subtree's hash by its
//! tlog index (`domain::ledger_tree` says which). The writer reads the
//! tree's right edge inside its batch when another node grew the tree;
//! proofs and tiles read hashes by index from the pool.

use super::batch::{WriteBatch, q};
use super::dialect::{Col, Dialect};
use super::rows::StoredRow;
use super::{Store, StoreError, json};
use crate::domain::ledger_proofs::ProofPlan;
use sqlx::Any;
use std::collections::HashMap;
use xinyi_merchant_sdk::merkle::Hash;

fn hashes_sql(dialect: Dialect) -> String {
    format!(
        "SELECT idx, hash FROM ledger_tree WHERE idx IN (SELECT r.i FROM {})",
        dialect.json_rows("$1", "r", &[("i", Col::Int)])
    )
}

fn index_param(indices: &[u64]) -> String {
    json(&indices.iter().map(|i| [i]).collect::<Vec<_>>())
}

fn hash_of(bytes: Vec<u8>, what: &str) -> Result<Hash, StoreError> {
    bytes.try_into().map_err(|_| StoreError::Corrupt(format!("{what} is not 32 bytes")))
}

fn index_of(row: &sqlx::any::AnyRow) -> Result<u64, StoreError> {
    let idx = row.int("idx")?;
    u64::try_from(idx).map_err(|_| StoreError::Corrupt(format!("ledger tree index {idx}")))
}

pub(super) async fn fetch<'e>(
    executor: impl sqlx::Executor<'e, Database = Any>,
    dialect: Dialect,
    indices: &[u64],
) -> Result<HashMap<u64, Hash>, StoreError> {
    if indices.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = q(hashes_sql(dialect)).bind(index_param(indices)).fetch_all(executor).await?;
    rows.iter().map(|r| Ok((index_of(r)?, hash_of(r.bytes("hash")?, "a ledger tree hash")?))).collect()
}

/// How many hashes are stored: the highest index, plus one.
async fn stored<'e>(executor: impl sqlx::Executor<'e, Database = Any>) -> Result<u64, StoreError> {
    let row = q("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM ledger_tree".to_owned()).fetch_one(executor).await?;
    let n = row.int("n")?;
    u64::try_from(n).map_err(|_| StoreError::Corrupt(format!("ledger tree count {n}")))
}

impl WriteBatch<'_> {
    /// The stored hashes at these indices, inside the batch's transaction;
    /// an index with no hash is absent from the answer.
    pub async fn tree_hashes(&mut self, indices: &[u64]) -> Result<HashMap<u64, Hash>, StoreError> {
        fetch(&mut *self.conn, self.dialect, indices).await
    }

    /// How many hashes the tree has stored, inside the batch's transaction.
    pub async fn tree_stored(&mut self) -> Result<u64, StoreError> {
        stored(&mut *self.conn).await
    }
}

impl Store {
    /// The stored hashes at these indices, as committed.
    pub async fn tree_hashes(&self, indices: &[u64]) -> Result<HashMap<u64, Hash>, StoreError> {
        fetch(&self.pool, self.dialect, indices).await
    }

    /// The stored hashes at these indices, in their order; a missing one is
    /// corrupt data, since every index asked for lies inside a signed tree.
    pub async fn tree_hashes_in_order(&self, indices: &[u64]) -> Result<Vec<Hash>, StoreError> {
        let found = self.tree_hashes(indices).await?;
        indices
            .iter()
            .map(|i| {
                found.get(i).copied().ok_or_else(|| StoreError::Corrupt(format!("ledger tree hash {i} is missing")))
            })
            .collect()
    }

    /// A proof's hashes, from one read of the stored ones it is made of; a
    /// missing one is corrupt data, as above.
    pub async fn proof_hashes(&self, plan: &ProofPlan) -> Result<Vec<Hash>, StoreError> {
        let stored = self.tree_hashes(&plan.indices()).await?;
        plan.hashes(&stored).ok_or_else(|| StoreError::Corrupt("a hash of a proof inside the tree is missing".into()))
    }

    /// Stored hashes with indices in `from..to`, in order.
    pub async fn tree_hash_range(&self, from: u64, to: u64) -> Result<Vec<(u64, Hash)>, StoreError> {
        let rows = q("SELECT idx, hash FROM ledger_tree WHERE idx >= $1 AND idx < $2 ORDER BY idx".to_owned())
            .bind(i64::try_from(from).expect("a tree index fits i64"))
            .bind(i64::try_from(to).expect("a tree index fits i64"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok((index_of(r)?, hash_of(r.bytes("hash")?, "a ledger tree hash")?))).collect()
    }

    /// How many hashes the tree has stored, as committed.
    pub async fn tree_stored(&self) -> Result<u64, StoreError> {
        stored(&self.pool).await
    }
}
