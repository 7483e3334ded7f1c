//! A merchant learns the level and the validity from a code, nothing else,
//! and cannot link two codes of the same citizen.

use ed25519_dalek::SigningKey;
use rand::rngs::OsRng;
use std::collections::HashSet;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};
use xinyi::citizen_handle::{CitizenNumber, HandleSealer};
use xinyi_merchant_sdk::credit_code::{CODE_LEN, PAYLOAD_LEN};
use xinyi_merchant_sdk::*;

const ISSUED_AT: OffsetDateTime = datetime!(2026-11-28 08:00:00 UTC);

struct Issuer {
    signer: CodeSigner,
    sealer: HandleSealer,
    verifier: Verifier,
}

impl Issuer {
    fn new() -> Issuer {
        let key = SigningKey::from_bytes(&[42; 32]);
        let set = JsonWebKeySet {
            keys: vec![PublishedKey::ed25519(&key.verifying_key(), ISSUED_AT - Duration::days(1), None)],
        };
        Issuer {
            sealer: HandleSealer::for_signing_key(&key),
            signer: CodeSigner::new(key),
            verifier: Verifier::new(TrustedKeys::from_set(&set).unwrap()),
        }
    }

    fn code_bytes(&self, citizen: u64, level: CreditLevel, issued_at: OffsetDateTime) -> (String, Vec<u8>) {
        let claims = CodeClaims {
            level,
            issued_at,
            lifetime: CodeLifetime::DEFAULT,
            handle: self.sealer.seal(CitizenNumber(citizen), &mut OsRng),
        };
        let text = self.signer.sign(&claims).unwrap();
        let bytes = base45::decode(&text[3..]).unwrap();
        assert_eq!(bytes.len(), CODE_LEN);
        (text, bytes)
    }
}

#[test]
fn two_codes_of_one_citizen_share_only_version_key_id_level_and_lifetime() {
    let issuer = Issuer::new();
    let (_, first) = issuer.code_bytes(1_234_567, CreditLevel::AA, ISSUED_AT);
    let (_, second) = issuer.code_bytes(1_234_567, CreditLevel::AA, ISSUED_AT + Duration::minutes(20));
    assert_eq!(first[..10], second[..10], "version, key id and level are the same");
    assert_eq!(first[14..16], second[14..16], "the configured lifetime is the same");
    assert_ne!(first[10..14], second[10..14], "issued_at differs");
    let shared_handle_bytes = (16..32).filter(|&i| first[i] == second[i]).count();
    assert!(shared_handle_bytes <= 4, "the handles look unrelated ({shared_handle_bytes} of 16 bytes equal)");
    assert_ne!(first[PAYLOAD_LEN..], second[PAYLOAD_LEN..]);
}

#[test]
fn a_citizen_s_handles_look_random_across_many_codes() {
    let issuer = Issuer::new();
    let handles: Vec<Vec<u8>> =
        (0..1000).map(|_| issuer.code_bytes(7, CreditLevel::A, ISSUED_AT).1[16..32].to_vec()).collect();
    assert_eq!(handles.iter().collect::<HashSet<_>>().len(), 1000, "no handle repeats");
    for position in 0..16 {
        let distinct = handles.iter().map(|h| h[position]).collect::<HashSet<_>>().len();
        assert!(distinct > 200, "byte {position} of the handle takes only {distinct} values");
    }
}

#[test]
fn the_citizen_number_does_not_appear_in_the_code() {
    let issuer = Issuer::new();
    let number: u64 = 0x0102_0304_0506_0708;
    let (_, bytes) = issuer.code_bytes(number, CreditLevel::AAA, ISSUED_AT);
    let needle = &number.to_be_bytes()[2..];
    assert!(!bytes.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn what_a_merchant_reads_from_a_code_is_the_level_its_medium_and_its_validity() {
    let issuer = Issuer::new();
    let (text, _) = issuer.code_bytes(99, CreditLevel::AA, ISSUED_AT);
    let verified = issuer.verifier.verify(&text, ISSUED_AT).unwrap();
    let report = serde_json::to_value(VerifiedCodeReport::from(&verified)).unwrap();
    let fields: HashSet<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        HashSet::from([
            "ok",
            "medium",
            "level",
            "level_name",
            "issued_at",
            "expires_at",
            "expires_at_unix",
            "key_id",
            "code_id"
        ])
    );
    assert_eq!(report["medium"], "phone");
    assert_eq!(report["level"], 4);
}

#[test]
fn only_the_service_turns_the_handle_back_into_the_citizen() {
    let issuer = Issuer::new();
    let (text, _) = issuer.code_bytes(5_260_000, CreditLevel::B, ISSUED_AT);
    let verified = issuer.verifier.verify(&text, ISSUED_AT).unwrap();
    assert_eq!(issuer.sealer.open(&verified.citizen_handle), CitizenNumber(5_260_000));
}
