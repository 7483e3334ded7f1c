//! Signed notes and checkpoints against the vectors of Go's reference
//! implementation (golang.org/x/mod/sumdb/note, note_test.go): Ed25519 is
//! deterministic, so signing the reference text with the reference key
//! must give the reference note to the byte.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::SigningKey;
use xinyi_merchant_sdk::signed_note::{Checkpoint, NoteError, NoteSigner, NoteVerifier};

const VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIG: &str =
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

fn reference_signer() -> NoteSigner {
    // The key material may itself hold a +: split off the four fields before it.
    let encoded = SKEY.splitn(5, '+').nth(4).unwrap();
    let bytes = STANDARD.decode(encoded).unwrap();
    assert_eq!(bytes[0], 0x01);
    NoteSigner::new("PeterNeumann", SigningKey::from_bytes(&bytes[1..].try_into().unwrap())).unwrap()
}

#[test]
fn the_reference_key_id_key_and_signature_are_reproduced_to_the_byte() {
    let signer = reference_signer();
    assert_eq!(signer.verifier().encode(), VKEY);
    assert_eq!(NoteVerifier::parse(VKEY).unwrap(), *signer.verifier());
    assert_eq!(signer.sign(TEXT).unwrap(), format!("{TEXT}\n{SIG}"));
}

#[test]
fn the_reference_note_opens_and_any_change_to_it_does_not() {
    let verifier = NoteVerifier::parse(VKEY).unwrap();
    let note = format!("{TEXT}\n{SIG}");
    assert_eq!(verifier.open(&note), Ok(TEXT));
    assert_eq!(verifier.open(&note.replace("cryptography", "cryptographY")), Err(NoteError::BadSignature));
    // Every one-bit change to the note's bytes that is still UTF-8 fails.
    let bytes = note.as_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut changed = bytes.to_vec();
            changed[i] ^= 1 << bit;
            if let Ok(text) = std::str::from_utf8(&changed) {
                assert!(verifier.open(text).is_err(), "byte {i} bit {bit}: {text:?}");
            }
        }
    }
}

#[test]
fn another_keys_signature_is_passed_over_but_none_by_the_known_key_is_refused() {
    let verifier = NoteVerifier::parse(VKEY).unwrap();
    let other = NoteSigner::new("other.example/log", SigningKey::from_bytes(&[7; 32])).unwrap();
    let by_other = other.sign(TEXT).unwrap();
    assert_eq!(verifier.open(&by_other), Err(NoteError::Unverified));
    let both = format!("{by_other}{SIG}");
    assert_eq!(verifier.open(&both), Ok(TEXT), "a cosigned note opens with either key");
    assert_eq!(other.verifier().open(&both), Ok(TEXT));
}

#[test]
fn mangled_verifier_keys_are_refused() {
    let b = VKEY.as_bytes();
    for i in 0..=b.len() {
        for j in i + 1..=b.len() {
            if (i, j) != (0, b.len()) {
                assert!(NoteVerifier::parse(&VKEY[i..j]).is_err(), "{:?}", &VKEY[i..j]);
            }
        }
    }
    assert!(
        NoteVerifier::parse("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err(),
        "wrong id"
    );
    assert!(
        NoteVerifier::parse("PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err(),
        "upper hex"
    );
}

#[test]
fn a_checkpoint_round_trips_and_malformed_ones_are_refused() {
    let checkpoint = Checkpoint { origin: "xinyi.example/ledger".into(), size: 1234, root: [9; 32] };
    let text = checkpoint.to_text();
    assert_eq!(text, format!("xinyi.example/ledger\n1234\n{}\n", STANDARD.encode([9u8; 32])));
    assert_eq!(Checkpoint::parse(&text), Ok(checkpoint.clone()));
    assert_eq!(Checkpoint::parse(&format!("{text}an extension\n")), Ok(checkpoint));
    let root = STANDARD.encode([9u8; 32]);
    for bad in [
        format!("xinyi.example/ledger\n01234\n{root}\n"),
        format!("xinyi.example/ledger\n+1234\n{root}\n"),
        format!("xinyi.example/ledger\n1234\n{root}"),
        format!("\n1234\n{root}\n"),
        "xinyi.example/ledger\n1234\nAAAA\n".to_owned(),
        format!("xinyi.example/ledger\n99999999999999999999999\n{root}\n"),
    ] {
        assert!(Checkpoint::parse(&bad).is_err(), "{bad:?}");
    }
}
