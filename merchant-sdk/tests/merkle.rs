//! The Merkle core against an independent implementation: `tlog_tiles`
//! (Cloudflare's port of Go's sumdb tlog) builds the trees and the proofs,
//! and ours must accept every one of them, agree on every root, and refuse
//! every proof, leaf or root with one bit changed.

use tlog_tiles::{Hash as TlogHash, HashReader};
use xinyi_merchant_sdk::merkle::{
    Hash, ProofError, leaf_hash, node_hash, root_of, verify_consistency, verify_inclusion,
};

/// A log of `n` records kept the way tlog keeps it: every stored hash, by index.
struct Log {
    stored: Vec<TlogHash>,
    leaves: Vec<Hash>,
}

impl HashReader for Log {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TlogHash>, tlog_tiles::Error> {
        Ok(indexes.iter().map(|&i| self.stored[i as usize]).collect())
    }
}

fn record(i: u64) -> Vec<u8> {
    format!("ledger entry {i}").into_bytes()
}

impl Log {
    fn of(n: u64) -> Log {
        Log::with(n, record)
    }

    fn with(n: u64, record: impl Fn(u64) -> Vec<u8>) -> Log {
        let mut log = Log { stored: Vec::new(), leaves: Vec::new() };
        for i in 0..n {
            let added = tlog_tiles::stored_hashes(i, &record(i), &log).unwrap();
            log.stored.extend(added);
            log.leaves.push(leaf_hash(&record(i)));
        }
        log
    }

    fn root(&self, size: u64) -> Hash {
        tlog_tiles::tree_hash(size, self).unwrap().0
    }

    fn inclusion(&self, size: u64, index: u64) -> Vec<Hash> {
        tlog_tiles::prove_record(size, index, self).unwrap().into_iter().map(|h| h.0).collect()
    }

    fn consistency(&self, new: u64, old: u64) -> Vec<Hash> {
        tlog_tiles::prove_tree(new, old, self).unwrap().into_iter().map(|h| h.0).collect()
    }
}

fn flipped(hash: &Hash, bit: usize) -> Hash {
    let mut h = *hash;
    h[bit / 8] ^= 1 << (bit % 8);
    h
}

#[test]
fn leaf_and_node_hashes_follow_rfc_9162_and_agree_with_tlog() {
    assert_eq!(leaf_hash(b"abc"), tlog_tiles::record_hash(b"abc").0);
    let (a, b) = (leaf_hash(b"a"), leaf_hash(b"b"));
    assert_eq!(node_hash(&a, &b), tlog_tiles::node_hash(TlogHash(a), TlogHash(b)).0);
    // RFC 9162 §2.1.1: the root of the empty tree is SHA-256 of the empty string.
    assert_eq!(hex::encode(root_of(&[])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

#[test]
fn every_root_of_sizes_1_to_1000_agrees_and_inclusion_proofs_verify() {
    let log = Log::of(1000);
    for size in 1..=1000u64 {
        let root = log.root(size);
        if size <= 130 || size % 97 == 0 || size == 1000 {
            assert_eq!(root_of(&log.leaves[..size as usize]), root, "root of {size}");
        }
        // Every index of the small trees; the ends, the middle and a stride of the others.
        let indexes: Vec<u64> = if size <= 64 {
            (0..size).collect()
        } else {
            [0, 1, size / 2, size - 2, size - 1].into_iter().chain((0..size).step_by(37)).collect()
        };
        for index in indexes {
            let proof = log.inclusion(size, index);
            verify_inclusion(index, size, &log.leaves[index as usize], &proof, &root)
                .unwrap_or_else(|e| panic!("index {index} of {size}: {e}"));
        }
    }
}

#[test]
fn consistency_proofs_between_every_pair_of_sizes_up_to_64_verify() {
    let log = Log::of(64);
    for new in 1..=64u64 {
        for old in 1..=new {
            let proof = log.consistency(new, old);
            verify_consistency(old, new, &log.root(old), &log.root(new), &proof)
                .unwrap_or_else(|e| panic!("{old} → {new}: {e}"));
        }
    }
    assert_eq!(verify_consistency(0, 5, &root_of(&[]), &log.root(5), &[]), Ok(()));
}

#[test]
fn every_one_bit_change_to_an_inclusion_proof_its_leaf_or_its_root_fails() {
    let log = Log::of(300);
    for (size, index) in [(1u64, 0u64), (2, 1), (7, 3), (64, 0), (65, 64), (300, 157), (300, 299)] {
        let (leaf, root) = (log.leaves[index as usize], log.root(size));
        let proof = log.inclusion(size, index);
        assert_eq!(verify_inclusion(index, size, &leaf, &proof, &root), Ok(()));
        for bit in 0..256 {
            assert!(verify_inclusion(index, size, &flipped(&leaf, bit), &proof, &root).is_err());
            assert!(verify_inclusion(index, size, &leaf, &proof, &flipped(&root, bit)).is_err());
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i] = flipped(&bad[i], bit);
                assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err(), "hash {i} bit {bit}");
            }
        }
        for wrong_index in (0..size).filter(|&i| i != index).take(20) {
            assert!(verify_inclusion(wrong_index, size, &leaf, &proof, &root).is_err());
        }
        if !proof.is_empty() {
            assert_eq!(verify_inclusion(index, size, &leaf, &proof[1..], &root).unwrap_err(), ProofError::WrongLength);
        }
        let mut longer = proof.clone();
        longer.push(leaf);
        assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
    }
    assert_eq!(
        verify_inclusion(5, 5, &log.leaves[0], &[], &log.root(5)),
        Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
    );
}

#[test]
fn every_one_bit_change_to_a_consistency_proof_or_either_root_fails() {
    let log = Log::of(64);
    for (old, new) in [(1u64, 2u64), (3, 7), (4, 8), (6, 64), (32, 33), (63, 64)] {
        let (old_root, new_root) = (log.root(old), log.root(new));
        let proof = log.consistency(new, old);
        assert_eq!(verify_consistency(old, new, &old_root, &new_root, &proof), Ok(()));
        for bit in 0..256 {
            assert!(verify_consistency(old, new, &flipped(&old_root, bit), &new_root, &proof).is_err());
            assert!(verify_consistency(old, new, &old_root, &flipped(&new_root, bit), &proof).is_err());
            for i in 0..proof.len() {
                let mut bad = proof.clone();
                bad[i] = flipped(&bad[i], bit);
                assert!(verify_consistency(old, new, &old_root, &new_root, &bad).is_err(), "hash {i} bit {bit}");
            }
        }
        // Claimed sizes other than the real ones: a root does not carry its
        // size, so some pass (the tree of 33 is also a valid-looking tree of
        // 34); the verdict must be the independent implementation's.
        for (o, n) in
            [(old, new + 1), (old + 1, new), (old.saturating_sub(1).max(1), new), (old, new.saturating_sub(1).max(old))]
        {
            let ours = verify_consistency(o, n, &old_root, &new_root, &proof).is_ok();
            let theirs = tlog_tiles::check_tree(
                &proof.iter().map(|h| TlogHash(*h)).collect(),
                n,
                TlogHash(new_root),
                o,
                TlogHash(old_root),
            )
            .is_ok();
            assert_eq!(ours, theirs, "claimed {o} → {n} for a proof of {old} → {new}");
        }
        assert!(verify_consistency(new, old, &new_root, &old_root, &proof).is_err(), "sizes out of order");
    }
}

#[test]
fn a_rewritten_entry_breaks_consistency_with_the_earlier_root() {
    let log = Log::of(40);
    // The operator rewrites entry 10 and rebuilds the whole tree from it.
    let forged = Log::with(40, |i| if i == 10 { b"a rewritten ledger entry".to_vec() } else { record(i) });
    assert_ne!(forged.root(40), log.root(40));
    // Whoever holds the earlier checkpoint (size 20) is shown neither
    // proof: not the forged tree's own, nor the honest one.
    for proof in [forged.consistency(40, 20), log.consistency(40, 20)] {
        assert_eq!(verify_consistency(20, 40, &log.root(20), &forged.root(40), &proof), Err(ProofError::RootMismatch));
    }
}
