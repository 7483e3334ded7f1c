//! C2SP tlog-cosignature v1, against the spec's bytes re-derived here.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, SigningKey, Verifier};
use sha2::{Digest, Sha256};
use xinyi_merchant_sdk::cosignature::{Cosigner, CosignerKey};

const CHECKPOINT: &str = "xinyi.example/ledger\n42\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

fn witness(seed: u8) -> Cosigner {
    Cosigner::new("witness.example/w1", SigningKey::from_bytes(&[seed; 32])).unwrap()
}

#[test]
fn the_line_carries_the_key_id_the_big_endian_time_and_a_signature_over_the_spec_s_message() {
    let w = witness(1);
    let line = w.cosign(CHECKPOINT, 1_679_315_147);
    let b64 = line.strip_prefix("\u{2014} witness.example/w1 ").unwrap().strip_suffix('\n').unwrap();
    let bytes = STANDARD.decode(b64).unwrap();
    assert_eq!(bytes.len(), 4 + 8 + 64);
    let public = SigningKey::from_bytes(&[1; 32]).verifying_key();
    let mut h = Sha256::new();
    h.update(b"witness.example/w1\n\x04");
    h.update(public.as_bytes());
    assert_eq!(bytes[..4], h.finalize()[..4], "key id = SHA-256(name || 0x0A || 0x04 || key)[:4]");
    assert_eq!(u64::from_be_bytes(bytes[4..12].try_into().unwrap()), 1_679_315_147);
    let message = format!("cosignature/v1\ntime 1679315147\n{CHECKPOINT}");
    public.verify(message.as_bytes(), &Signature::from_slice(&bytes[12..]).unwrap()).unwrap();
}

#[test]
fn a_cosigned_note_verifies_with_the_witness_key_and_gives_its_time() {
    let (w, other) = (witness(1), witness(2));
    let note = format!(
        "{CHECKPOINT}\n\u{2014} xinyi.example/ledger AAAAAAAA\n{}{}",
        other.cosign(CHECKPOINT, 5),
        w.cosign(CHECKPOINT, 7)
    );
    assert_eq!(w.key().verify(&note), Ok(7));
    assert_eq!(other.key().verify(&note), Ok(5), "each key finds its own line; others are passed over");
    let stranger = Cosigner::new("witness.example/w9", SigningKey::from_bytes(&[9; 32])).unwrap();
    assert!(stranger.key().verify(&note).is_err(), "no line of that key");
}

#[test]
fn every_one_bit_change_to_the_checkpoint_or_the_line_fails() {
    let w = witness(3);
    let line = w.cosign(CHECKPOINT, 1_000);
    let note = format!("{CHECKPOINT}\n{line}");
    for i in 0..note.len() {
        for bit in 0..8 {
            let mut bytes = note.clone().into_bytes();
            bytes[i] ^= 1 << bit;
            let Ok(changed) = String::from_utf8(bytes) else { continue };
            assert!(w.key().verify(&changed).is_err(), "byte {i} bit {bit}");
        }
    }
}

#[test]
fn a_cosigner_key_reads_back_from_its_text_and_a_wrong_id_or_type_is_refused() {
    let key = witness(4).key().clone();
    let text = key.encode();
    assert_eq!(CosignerKey::parse(&text).unwrap(), key);
    let (head, b64) = text.rsplit_once('+').unwrap();
    let mut raw = STANDARD.decode(b64).unwrap();
    raw[0] = 0x01;
    assert!(CosignerKey::parse(&format!("{head}+{}", STANDARD.encode(&raw))).is_err(), "a log key is no cosigner key");
    let name = text.split('+').next().unwrap();
    assert!(CosignerKey::parse(&text.replacen(&format!("{name}+"), "witness.example/w2+", 1)).is_err());
}
