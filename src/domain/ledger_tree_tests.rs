//! The tree against `tlog_tiles` (a port of Go's sumdb tlog), an
//! implementation written apart from this one.

use super::*;
use std::collections::HashMap;
use tlog_tiles as tlog;

/// Stored hashes by index, as `tlog_tiles` reads them.
pub(crate) struct Stored(pub(crate) HashMap<u64, Hash>);

impl tlog::HashReader for Stored {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog::Hash>, tlog::Error> {
        indexes.iter().map(|i| self.0.get(i).map(|h| tlog::Hash(*h)).ok_or(tlog::Error::IndexesNotInTree)).collect()
    }
}

fn entry(n: u64) -> Vec<u8> {
    format!("ledger entry {n}").into_bytes()
}

#[test]
fn stored_indices_and_counts_are_tlogs() {
    for level in 0..12u8 {
        for n in 0..1_000 {
            assert_eq!(stored_hash_index(u32::from(level), n), tlog::stored_hash_index(level, n), "{level} {n}");
        }
    }
    for size in 0..5_000 {
        assert_eq!(stored_hash_count(size), tlog::stored_hash_count(size), "{size}");
    }
}

#[test]
fn appending_stores_what_tlog_stores_and_the_root_is_tlogs_tree_hash() {
    let mut ours = TreeFrontier::empty();
    let mut theirs = Stored(HashMap::new());
    for n in 0..600u64 {
        let expected = tlog::stored_hashes(n, &entry(n), &theirs).unwrap();
        let stored = ours.append(&entry(n));
        let first = tlog::stored_hash_count(n);
        let expected: Vec<(u64, Hash)> = expected.iter().enumerate().map(|(i, h)| (first + i as u64, h.0)).collect();
        assert_eq!(stored, expected, "leaf {n}");
        theirs.0.extend(expected);
        assert_eq!(ours.root(), tlog::tree_hash(n + 1, &theirs).unwrap().0, "size {}", n + 1);
    }
    assert_eq!(TreeFrontier::empty().root(), tlog::tree_hash(0, &theirs).unwrap().0);
}

#[test]
fn a_frontier_read_back_from_the_stored_hashes_is_the_one_kept_in_memory() {
    let mut kept = TreeFrontier::empty();
    let mut stored = HashMap::new();
    for n in 0..300u64 {
        let edge = TreeFrontier::indices(n).iter().map(|i| stored[i]).collect();
        assert_eq!(TreeFrontier::from_stored(n, edge), Some(kept.clone()), "size {n}");
        stored.extend(kept.append(&entry(n)));
    }
    assert_eq!(TreeFrontier::from_stored(3, vec![[0; 32]]), None, "size 3 has two subtrees on its edge");
}
