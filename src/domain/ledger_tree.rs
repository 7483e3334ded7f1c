//! The ledger's Merkle tree as the writer grows it: every ledger entry is a
//! leaf (RFC 9162), and every complete subtree's hash is stored once, at
//! the index the tlog layout gives it (Go's sumdb `tlog`, which C2SP
//! `tlog-tiles` serves from). The writer keeps only the tree's right edge,
//! one hash per set bit of the size, so adding a leaf costs a hash or two
//! and no read. Checked against `tlog_tiles` in `ledger_tree_tests.rs`.

use xinyi_merchant_sdk::merkle::{Hash, leaf_hash, node_hash, root_of};

/// Where the `n`-th hash of `level` is stored: hashes are numbered in the
/// order appends complete them, level 0's `n`-th right after level 1's
/// `(2n+1)`-th... down to the leaves (tlog's `StoredHashIndex`).
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut index = 0;
    while n > 0 {
        index += n;
        n >>= 1;
    }
    index + u64::from(level)
}

/// How many hashes a tree of `size` leaves stores.
pub fn stored_hash_count(size: u64) -> u64 {
    if size == 0 {
        return 0;
    }
    let last = size - 1;
    stored_hash_index(0, last) + 1 + u64::from(last.trailing_ones())
}

/// A tree's size and right edge: the roots of its complete subtrees, the
/// largest first, which is all that appending and the root need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFrontier {
    size: u64,
    edge: Vec<Hash>,
}

impl TreeFrontier {
    pub fn empty() -> TreeFrontier {
        TreeFrontier { size: 0, edge: Vec::new() }
    }

    /// The stored indices of the right edge of a tree of `size` leaves, in
    /// the order [`TreeFrontier::from_stored`] takes their hashes.
    pub fn indices(size: u64) -> Vec<u64> {
        (0..u64::BITS)
            .rev()
            .filter(|level| size >> level & 1 == 1)
            .map(|level| stored_hash_index(level, (size >> level) - 1))
            .collect()
    }

    /// The frontier of a stored tree, from the hashes at its
    /// [`TreeFrontier::indices`]; `None` when the count is not theirs.
    pub fn from_stored(size: u64, edge: Vec<Hash>) -> Option<TreeFrontier> {
        (edge.len() == size.count_ones() as usize).then_some(TreeFrontier { size, edge })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Adds one entry as the next leaf; returns the hashes to store, with
    /// their indices: the leaf's, then each subtree it completes.
    pub fn append(&mut self, entry: &[u8]) -> Vec<(u64, Hash)> {
        let leaf = self.size;
        let mut hash = leaf_hash(entry);
        let mut stored = vec![(stored_hash_index(0, leaf), hash)];
        let mut level = 0;
        while leaf >> level & 1 == 1 {
            let left = self.edge.pop().expect("a set bit of the size has its subtree on the edge");
            hash = node_hash(&left, &hash);
            level += 1;
            stored.push((stored_hash_index(level, leaf >> level), hash));
        }
        self.edge.push(hash);
        self.size += 1;
        assert_eq!(self.edge.len(), self.size.count_ones() as usize, "one edge hash per set bit of the size");
        assert_eq!(stored_hash_index(0, leaf) + stored.len() as u64, stored_hash_count(self.size));
        stored
    }

    /// The tree's root (RFC 9162's MTH), what a checkpoint signs.
    pub fn root(&self) -> Hash {
        match self.edge.split_last() {
            None => root_of(&[]),
            Some((smallest, larger)) => larger.iter().rev().fold(*smallest, |right, left| node_hash(left, &right)),
        }
    }
}

#[cfg(test)]
#[path = "ledger_tree_tests.rs"]
pub(crate) mod tests;
