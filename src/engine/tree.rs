//! The ledger's Merkle tree grows in the batch that adds its entries: the
//! writer keeps the tree's right edge between batches, so a batch costs a
//! leaf hash per entry and no read. It re-reads the edge only when the
//! ledger is not the size it last left it (another node on the same
//! PostgreSQL wrote; the writer lock orders the two), and catches up
//! entries that have no leaf yet (those from before migration 0014, or
//! written by a node that did not know the tree).

use crate::domain::ledger::LedgerEntry;
use crate::domain::ledger_tree::{TreeFrontier, stored_hash_count};
use crate::storage::{Source, Store, StoreError, WriteBatch};
use xinyi_merchant_sdk::merkle::Hash;

/// Entries read at a time while catching up.
const CATCH_UP_PAGE: u32 = 10_000;

/// The frontier of the stored tree with `size` leaves, if its edge is stored.
async fn stored_frontier(batch: &mut WriteBatch<'_>, size: u64) -> Result<Option<TreeFrontier>, StoreError> {
    let indices = TreeFrontier::indices(size);
    let found = batch.tree_hashes(&indices).await?;
    let edge: Option<Vec<Hash>> = indices.iter().map(|i| found.get(i).copied()).collect();
    Ok(edge.and_then(|edge| TreeFrontier::from_stored(size, edge)))
}

/// The size of the stored tree: the one whose hash count is what is stored.
/// Any other count is a tree cut off mid-entry, which no commit leaves.
fn size_of_stored(count: u64) -> Result<u64, StoreError> {
    let (mut low, mut high) = (0u64, count);
    while low < high {
        let mid = low + (high - low) / 2;
        if stored_hash_count(mid) < count { low = mid + 1 } else { high = mid }
    }
    if stored_hash_count(low) != count {
        return Err(StoreError::Corrupt(format!("the ledger tree stores {count} hashes, which no tree size does")));
    }
    Ok(low)
}

/// The tree as far as the ledger's `head` entry, with the hashes to store
/// for the entries it had to catch up, at most `limit` of them; `None`
/// when more remain.
pub(super) async fn frontier_at(
    store: &Store,
    batch: &mut WriteBatch<'_>,
    head: u64,
    limit: u64,
    writes: &mut Vec<(u64, Hash)>,
) -> Result<Option<TreeFrontier>, StoreError> {
    if let Some(frontier) = stored_frontier(batch, head).await? {
        return Ok(Some(frontier));
    }
    let size = size_of_stored(batch.tree_stored().await?)?;
    if size > head {
        return Err(StoreError::Corrupt(format!("the ledger tree has {size} leaves, the ledger {head} entries")));
    }
    let mut frontier = stored_frontier(batch, size)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("the ledger tree's edge at size {size} is missing")))?;
    let target = head.min(size + limit);
    while frontier.size() < target {
        let page = (target - frontier.size()).min(u64::from(CATCH_UP_PAGE)) as u32;
        let entries = store.ledger_entries(frontier.size() as i64, page, Source::Primary).await?;
        if entries.is_empty() {
            return Err(StoreError::Corrupt(format!("ledger entry {} is missing", frontier.size() + 1)));
        }
        for entry in &entries {
            writes.extend(append(&mut frontier, entry));
        }
    }
    Ok((frontier.size() == head).then_some(frontier))
}

/// Adds one entry as the next leaf, which it must be: seq is 1-based.
pub(super) fn append(frontier: &mut TreeFrontier, entry: &LedgerEntry) -> Vec<(u64, Hash)> {
    assert_eq!(entry.seq, frontier.size() as i64 + 1, "ledger entries become leaves in seq order");
    frontier.append(&entry.canonical_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_size_is_found_from_the_hash_count_and_a_cut_tree_is_corrupt() {
        for size in 0..300 {
            assert_eq!(size_of_stored(stored_hash_count(size)).unwrap(), size);
        }
        // Size 2 stores 3 hashes and size 3 stores 4; 2 hashes is a leaf
        // whose subtree is missing.
        assert!(size_of_stored(2).is_err());
        assert!(size_of_stored(stored_hash_count(1 << 20) - 1).is_err());
    }
}
