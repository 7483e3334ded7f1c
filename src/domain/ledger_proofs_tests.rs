//! Proofs from stored hashes against `tlog_tiles` (a port of Go's sumdb
//! tlog, written apart from this one) and the SDK's RFC 9162 verifiers.

use super::*;
use crate::domain::ledger_tree::TreeFrontier;
use tlog_tiles as tlog;
use xinyi_merchant_sdk::merkle::{leaf_hash, verify_consistency, verify_inclusion};

use crate::domain::ledger_tree::tests::Stored;

fn entry(n: u64) -> Vec<u8> {
    format!("ledger entry {n}").into_bytes()
}

/// A tree of `size` leaves as the writer stores it, with every root on the way.
fn tree(size: u64) -> (Stored, Vec<Hash>) {
    let mut frontier = TreeFrontier::empty();
    let mut stored = HashMap::new();
    let mut roots = vec![frontier.root()];
    for n in 0..size {
        stored.extend(frontier.append(&entry(n)));
        roots.push(frontier.root());
    }
    (Stored(stored), roots)
}

/// Only the hashes a plan names: a proof cannot lean on any other.
fn only_what_it_reads(plan: &ProofPlan, stored: &Stored) -> Vec<Hash> {
    let read: HashMap<u64, Hash> = plan.indices().into_iter().map(|i| (i, stored.0[&i])).collect();
    plan.hashes(&read).expect("every index the plan names is stored")
}

#[test]
fn roots_from_stored_hashes_are_the_trees_roots() {
    let (stored, roots) = tree(1_000);
    for size in 1..=1_000u64 {
        assert_eq!(only_what_it_reads(&ProofPlan::root(size), &stored), vec![roots[size as usize]], "size {size}");
    }
}

#[test]
fn inclusion_proofs_at_sizes_1_to_1000_are_tlogs_and_verify() {
    let (stored, roots) = tree(1_000);
    for size in 1..=1_000u64 {
        // Every leaf of the small trees; a spread of leaves in the larger ones.
        let step = if size <= 64 { 1 } else { size / 17 + 1 };
        for index in (0..size).step_by(step as usize).chain([size - 1]) {
            let proof = only_what_it_reads(&ProofPlan::inclusion(index, size), &stored);
            let theirs: Vec<Hash> = tlog::prove_record(size, index, &stored).unwrap().iter().map(|h| h.0).collect();
            assert_eq!(proof, theirs, "leaf {index} of {size}");
            let leaf = leaf_hash(&entry(index));
            verify_inclusion(index, size, &leaf, &proof, &roots[size as usize]).unwrap();
        }
    }
}

#[test]
fn consistency_proofs_between_every_pair_of_sizes_up_to_64_are_tlogs_and_verify() {
    let (stored, roots) = tree(64);
    for new in 1..=64u64 {
        for old in 0..=new {
            let proof = only_what_it_reads(&ProofPlan::consistency(old, new), &stored);
            if old > 0 {
                let theirs: Vec<Hash> = tlog::prove_tree(new, old, &stored).unwrap().iter().map(|h| h.0).collect();
                assert_eq!(proof, theirs, "{old} → {new}");
            }
            verify_consistency(old, new, &roots[old as usize], &roots[new as usize], &proof).unwrap();
        }
    }
}

#[test]
fn a_missing_stored_hash_gives_no_proof() {
    let (stored, _) = tree(10);
    let plan = ProofPlan::inclusion(3, 10);
    let mut read: HashMap<u64, Hash> = plan.indices().into_iter().map(|i| (i, stored.0[&i])).collect();
    let first = *read.keys().next().unwrap();
    read.remove(&first);
    assert_eq!(plan.hashes(&read), None);
}
