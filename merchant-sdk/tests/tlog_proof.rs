//! C2SP tlog-proof@v1 receipts: proofs made by `tlog_tiles` (an independent
//! implementation) under checkpoints signed as signed notes, checked
//! offline against the pinned log key.

mod common;

use ed25519_dalek::SigningKey;
use tlog_tiles::{Hash as TlogHash, HashReader};
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteSigner};
use xinyi_merchant_sdk::tlog_proof::{InclusionError, TlogProof, verify_inclusion_proof};

const ORIGIN: &str = "xinyi.example/ledger";

struct Log(Vec<TlogHash>);

impl HashReader for Log {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TlogHash>, tlog_tiles::Error> {
        Ok(indexes.iter().map(|&i| self.0[i as usize]).collect())
    }
}

fn entry(i: u64) -> Vec<u8> {
    format!("ledger entry {i}").into_bytes()
}

fn log_of(n: u64) -> Log {
    let mut log = Log(Vec::new());
    for i in 0..n {
        let added = tlog_tiles::stored_hashes(i, &entry(i), &log).unwrap();
        log.0.extend(added);
    }
    log
}

fn signer(name: &str, seed: u8) -> NoteSigner {
    NoteSigner::new(name, SigningKey::from_bytes(&[seed; 32])).unwrap()
}

/// The proof of entry `index` in the tree of `size`, as the service writes it.
fn proof(log: &Log, signer: &NoteSigner, index: u64, size: u64) -> String {
    proof_of_origin(log, signer, &signer.verifier().name, index, size)
}

/// The same under a checkpoint that names `origin`.
fn proof_of_origin(log: &Log, signer: &NoteSigner, origin: &str, index: u64, size: u64) -> String {
    let root = tlog_tiles::tree_hash(size, log).unwrap().0;
    let checkpoint = signer.sign(&Checkpoint { origin: origin.to_owned(), size, root }.to_text()).unwrap();
    let hashes = tlog_tiles::prove_record(size, index, log).unwrap().into_iter().map(|h| h.0).collect();
    TlogProof { extra: None, index, hashes, checkpoint }.to_text()
}

#[test]
fn every_entry_of_every_tree_up_to_40_proves_and_its_neighbour_does_not() {
    let log = log_of(40);
    let key = signer(ORIGIN, 1);
    for size in 1..=40 {
        for index in 0..size {
            let text = proof(&log, &key, index, size);
            let verified = verify_inclusion_proof(&text, key.verifier(), &entry(index)).unwrap();
            assert_eq!((verified.index, verified.checkpoint.size), (index, size));
            let other = entry((index + 1) % size);
            if size > 1 {
                let refused = verify_inclusion_proof(&text, key.verifier(), &other).unwrap_err();
                assert!(matches!(refused, InclusionError::NotIncluded(_)), "{refused}");
            }
        }
    }
}

#[test]
fn the_text_reads_back_to_the_same_proof_with_or_without_extra_data() {
    let log = log_of(13);
    let key = signer(ORIGIN, 1);
    let text = proof(&log, &key, 5, 13);
    let parsed = TlogProof::parse(&text).unwrap();
    assert_eq!(parsed.to_text(), text);
    assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 5\n"), "{text}");
    let with_extra = TlogProof { extra: Some(b"receipt".to_vec()), ..parsed };
    let again = with_extra.to_text();
    assert!(again.starts_with("c2sp.org/tlog-proof@v1\nextra cmVjZWlwdA==\nindex 5\n"), "{again}");
    assert_eq!(TlogProof::parse(&again).unwrap(), with_extra);
    verify_inclusion_proof(&again, key.verifier(), &entry(5)).unwrap();
}

#[test]
fn every_one_bit_change_outside_the_extra_data_is_refused() {
    let log = log_of(21);
    let key = signer(ORIGIN, 1);
    let text = proof(&log, &key, 13, 21);
    let mut bytes = text.clone().into_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            bytes[i] ^= 1 << bit;
            if let Ok(changed) = std::str::from_utf8(&bytes) {
                let verdict = verify_inclusion_proof(changed, key.verifier(), &entry(13));
                assert!(verdict.is_err(), "byte {i} bit {bit} accepted:\n{changed}");
            }
            bytes[i] ^= 1 << bit;
        }
    }
}

#[test]
fn another_key_or_another_logs_checkpoint_is_refused() {
    let log = log_of(8);
    let ours = signer(ORIGIN, 1);
    let stranger = signer(ORIGIN, 2);
    let text = proof(&log, &stranger, 3, 8);
    assert!(matches!(verify_inclusion_proof(&text, ours.verifier(), &entry(3)), Err(InclusionError::Checkpoint(_))));
    let elsewhere = signer("other.example/log", 1);
    let text = proof(&log, &elsewhere, 3, 8);
    let key_named_ours = signer(ORIGIN, 1);
    // Signed by the same secret under another name: the key id differs, so it is not our log's.
    assert!(verify_inclusion_proof(&text, key_named_ours.verifier(), &entry(3)).is_err());
}

#[test]
fn a_checkpoint_our_key_signed_for_another_origin_is_refused() {
    let log = log_of(8);
    let key = signer(ORIGIN, 1);
    let text = proof_of_origin(&log, &key, "other.example/log", 3, 8);
    let refused = verify_inclusion_proof(&text, key.verifier(), &entry(3)).unwrap_err();
    assert!(matches!(refused, InclusionError::OtherLog { .. }), "{refused}");
}

#[test]
fn malformed_proofs_say_what_is_wrong() {
    let log = log_of(4);
    let key = signer(ORIGIN, 1);
    let good = proof(&log, &key, 1, 4);
    for (bad, why) in [
        (good.replacen("tlog-proof@v1", "tlog-proof@v2", 1), "first line"),
        (good.replacen("index 1", "index 01", 1), "plain decimal"),
        (good.replacen("index 1", "idx 1", 1), "no index line"),
        // Without its empty line, the checkpoint's lines are read as proof hashes.
        (good.replacen("\n\n", "\n", 1), "proof line"),
        (good.split("\n\n").next().unwrap().to_owned(), "empty line"),
    ] {
        match TlogProof::parse(&bad) {
            Err(InclusionError::Malformed(message)) => assert!(message.contains(why), "{message} for {why}"),
            other => panic!("{why}: {other:?}"),
        }
    }
}

/// A receipt as the service serves it: the entry's bytes in the extra line.
fn receipt(log: &Log, key: &NoteSigner, index: u64, size: u64) -> String {
    let proof = TlogProof::parse(&proof(log, key, index, size)).unwrap();
    TlogProof { extra: Some(entry(index)), ..proof }.to_text()
}

fn verify_proof(args: &[&str], stdin: &str) -> (i32, serde_json::Value) {
    common::run_example("verify-proof", args, stdin)
}

#[test]
fn the_verify_proof_example_exits_0_for_a_good_receipt_1_for_a_changed_one_and_2_on_misuse() {
    let log = log_of(30);
    let key = signer(ORIGIN, 1);
    let verifier = key.verifier().encode();
    let good = receipt(&log, &key, 17, 30);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &good).unwrap();
    let (code, report) = verify_proof(&["--log-key", &verifier, file.path().to_str().unwrap()], "");
    assert_eq!(code, 0, "{report}");
    assert_eq!((report["index"].as_u64(), report["tree_size"].as_u64()), (Some(17), Some(30)));
    assert_eq!(report["origin"], ORIGIN);

    let mut changed = TlogProof::parse(&good).unwrap();
    changed.extra = Some(b"ledger entry 18".to_vec());
    let (code, report) = verify_proof(&["--log-key", &verifier, "-"], &changed.to_text());
    assert_eq!((code, report["error"].as_str()), (1, Some("not_proven")), "{report}");
    let bare = TlogProof { extra: None, ..changed }.to_text();
    assert_eq!(verify_proof(&["--log-key", &verifier, "-"], &bare).0, 1, "a receipt needs the entry's bytes");
    let stranger = signer(ORIGIN, 2).verifier().encode();
    assert_eq!(verify_proof(&["--log-key", &stranger, "-"], &good).0, 1, "another key");

    assert_eq!(verify_proof(&["--log-key", "not a key", "-"], &good).0, 2);
    assert_eq!(verify_proof(&["--log-key", &verifier, "/nonexistent/receipt"], "").0, 2);
    assert_eq!(verify_proof(&["--log-key", &verifier], "").0, 2, "no FILE");
}
