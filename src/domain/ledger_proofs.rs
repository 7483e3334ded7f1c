//! Which stored hashes a proof needs, and the proof from them. RFC 9162's
//! proofs are hashes of subtrees `[lo, hi)`; each one is a chain of complete
//! subtrees, which the tree stores (`ledger_tree`), so a proof is one read
//! of at most a few dozen hashes by index, whatever the size of the ledger.
//! Checked against `tlog_tiles` and the SDK's verifiers in `ledger_proofs_tests.rs`.

use super::ledger_tree::stored_hash_index;
use std::collections::HashMap;
use xinyi_merchant_sdk::merkle::{Hash, node_hash};

/// The largest power of two below `n` (n ≥ 2): where RFC 9162 splits a tree.
fn split(n: u64) -> u64 {
    assert!(n >= 2, "only a tree of two or more leaves splits");
    1 << (63 - (n - 1).leading_zeros())
}

/// The subtree hashes a proof is made of, in the proof's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofPlan {
    ranges: Vec<(u64, u64)>,
}

impl ProofPlan {
    /// The inclusion proof of leaf `index` in the tree of `size` (RFC 9162 §2.1.3.1).
    pub fn inclusion(index: u64, size: u64) -> ProofPlan {
        assert!(index < size, "a leaf inside the tree");
        let mut ranges = Vec::new();
        inclusion_path(index, 0, size, &mut ranges);
        ProofPlan { ranges }
    }

    /// The consistency proof from the tree of `old` to that of `new`
    /// (RFC 9162 §2.1.4.1); empty when `old` is 0 or equals `new`.
    pub fn consistency(old: u64, new: u64) -> ProofPlan {
        assert!(old <= new, "an old tree no larger than the new");
        let mut ranges = Vec::new();
        if old > 0 && old < new {
            subproof(old, 0, new, true, &mut ranges);
        }
        ProofPlan { ranges }
    }

    /// The root of the tree of `size` (≥ 1), as a one-hash plan.
    pub fn root(size: u64) -> ProofPlan {
        assert!(size > 0, "the empty tree's root is a constant");
        ProofPlan { ranges: vec![(0, size)] }
    }

    /// Every stored index the plan reads.
    pub fn indices(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.ranges.iter().flat_map(|&(lo, hi)| complete_subtrees(lo, hi)).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The proof's hashes from the stored ones; `None` when one is missing.
    pub fn hashes(&self, stored: &HashMap<u64, Hash>) -> Option<Vec<Hash>> {
        self.ranges.iter().map(|&(lo, hi)| range_hash(lo, hi, stored)).collect()
    }
}

fn inclusion_path(index: u64, lo: u64, hi: u64, out: &mut Vec<(u64, u64)>) {
    if hi - lo == 1 {
        return;
    }
    let mid = lo + split(hi - lo);
    if index < mid {
        inclusion_path(index, lo, mid, out);
        out.push((mid, hi));
    } else {
        inclusion_path(index, mid, hi, out);
        out.push((lo, mid));
    }
}

/// RFC 9162's SUBPROOF(m, D[lo:hi], b), with `old` counted from 0.
fn subproof(old: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<(u64, u64)>) {
    if old == hi {
        if !whole {
            out.push((lo, hi));
        }
        return;
    }
    let mid = lo + split(hi - lo);
    if old <= mid {
        subproof(old, lo, mid, whole, out);
        out.push((mid, hi));
    } else {
        subproof(old, mid, hi, false, out);
        out.push((lo, mid));
    }
}

/// `[lo, hi)` as complete subtrees, largest first, by (level, number): the
/// proofs' ranges start where a subtree at least as large as them would.
fn pieces(lo: u64, hi: u64) -> Vec<(u32, u64)> {
    assert!(lo < hi, "a range of at least one leaf");
    let mut pieces = Vec::new();
    let mut at = lo;
    while at < hi {
        let mut level = if at == 0 { 63 } else { at.trailing_zeros() };
        while level > 0 && (1u64 << level > hi - at) {
            level -= 1;
        }
        pieces.push((level, at >> level));
        at += 1 << level;
    }
    pieces
}

fn complete_subtrees(lo: u64, hi: u64) -> Vec<u64> {
    pieces(lo, hi).into_iter().map(|(level, n)| stored_hash_index(level, n)).collect()
}

fn range_hash(lo: u64, hi: u64, stored: &HashMap<u64, Hash>) -> Option<Hash> {
    let hashes: Option<Vec<Hash>> = complete_subtrees(lo, hi).iter().map(|i| stored.get(i).copied()).collect();
    let hashes = hashes?;
    let (last, rest) = hashes.split_last()?;
    Some(rest.iter().rev().fold(*last, |right, left| node_hash(left, &right)))
}

#[cfg(test)]
#[path = "ledger_proofs_tests.rs"]
mod tests;
