//! Offline verification: what a terminal accepts and refuses, and why.

mod common;

use common::*;
use time::Duration;
use time::macros::datetime;
use xinyi_merchant_sdk::*;

#[test]
fn a_fresh_code_verifies_to_its_level_and_expiry() {
    let key = signing_key(1);
    let text = code(&key, CreditLevel::AAA, ISSUED_AT, [3; 16]);
    let verified = verifier_for(&key).verify(&text, ISSUED_AT + Duration::seconds(5)).unwrap();
    assert_eq!(verified.level, CreditLevel::AAA);
    assert_eq!(verified.expires_at, ISSUED_AT + Duration::seconds(90));
    assert_eq!(verified.key_id, KeyId::of(&key.verifying_key()));
}

#[test]
fn the_issuer_s_code_id_is_the_one_a_terminal_and_the_text_give() {
    let key = signing_key(1);
    let claims = CodeClaims {
        level: CreditLevel::AA,
        issued_at: ISSUED_AT,
        lifetime: CodeLifetime::DEFAULT,
        handle: CitizenHandle([5; 16]),
    };
    let (text, id) = CodeSigner::new(key.clone()).sign_with_id(&claims).unwrap();
    assert_eq!(text, code(&key, CreditLevel::AA, ISSUED_AT, [5; 16]), "the same code as sign gives");
    assert_eq!(CodeId::of_text(&text).unwrap(), id);
    assert_eq!(verifier_for(&key).verify(&text, ISSUED_AT + Duration::seconds(5)).unwrap().code_id, id);
    let other = CodeClaims { handle: CitizenHandle([6; 16]), ..claims };
    assert_ne!(CodeSigner::new(key).sign_with_id(&other).unwrap().1, id, "another payload, another id");
}

#[test]
fn a_scanner_s_trailing_carriage_return_and_newline_are_ignored() {
    let key = signing_key(1);
    let text = code(&key, CreditLevel::A, ISSUED_AT, [3; 16]);
    assert!(verifier_for(&key).verify(&format!("{text}\r\n"), ISSUED_AT).is_ok());
}

#[test]
fn a_code_signed_by_a_rotated_in_key_verifies_beside_the_old_one() {
    let old = signing_key(1);
    let new = signing_key(2);
    let rotation = datetime!(2026-11-28 00:00:00 UTC);
    let set = key_set(&[(&old, datetime!(2026-01-01 00:00:00 UTC), Some(rotation)), (&new, rotation, None)]);
    let verifier = Verifier::new(TrustedKeys::from_set(&set).unwrap());
    let by_old = code(&old, CreditLevel::A, rotation - Duration::seconds(10), [1; 16]);
    let by_new = code(&new, CreditLevel::A, rotation + Duration::seconds(10), [1; 16]);
    assert!(verifier.verify(&by_old, rotation).is_ok());
    assert!(verifier.verify(&by_new, rotation + Duration::seconds(20)).is_ok());
    let old_after_retirement = code(&old, CreditLevel::A, rotation + Duration::seconds(10), [1; 16]);
    assert_eq!(
        verifier.verify(&old_after_retirement, rotation + Duration::seconds(20)),
        Err(VerifyError::KeyNotValidAtIssue)
    );
}

#[test]
fn a_wider_clock_skew_accepts_a_code_the_default_refuses() {
    let key = signing_key(1);
    let text = code(&key, CreditLevel::A, ISSUED_AT, [3; 16]);
    let late = ISSUED_AT + Duration::seconds(90 + 45);
    assert!(matches!(verifier_for(&key).verify(&text, late), Err(VerifyError::Expired { .. })));
    assert!(verifier_for(&key).with_clock_skew(Duration::seconds(60)).verify(&text, late).is_ok());
}

#[test]
fn an_expired_code_reports_when_it_expired() {
    let key = signing_key(1);
    let text = code(&key, CreditLevel::A, ISSUED_AT, [3; 16]);
    let error = verifier_for(&key).verify(&text, ISSUED_AT + Duration::hours(1)).unwrap_err();
    assert_eq!(error, VerifyError::Expired { expired_at: ISSUED_AT + Duration::seconds(90) });
    let report = serde_json::to_value(VerifyErrorReport::from(&error)).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["error"], "expired");
    assert_eq!(report["expired_at"], "2026-11-28T08:01:30Z");
    assert!(report["message"].as_str().unwrap().contains("已过期"));
}

#[test]
fn a_second_scan_at_the_same_terminal_is_a_replay() {
    let key = signing_key(1);
    let verifier = verifier_for(&key);
    let text = code(&key, CreditLevel::AA, ISSUED_AT, [3; 16]);
    let mut guard = ReplayGuard::default();
    assert!(verifier.verify_once(&text, ISSUED_AT, &mut guard).is_ok());
    assert_eq!(
        verifier.verify_once(&format!("{text}\n"), ISSUED_AT + Duration::seconds(1), &mut guard),
        Err(VerifyError::Replay)
    );
    let other = code(&key, CreditLevel::AA, ISSUED_AT, [4; 16]);
    assert!(verifier.verify_once(&other, ISSUED_AT, &mut guard).is_ok());
}

#[test]
fn the_replay_guard_forgets_codes_once_they_can_no_longer_verify() {
    let key = signing_key(1);
    let verifier = verifier_for(&key);
    let mut guard = ReplayGuard::default();
    let first = code(&key, CreditLevel::AA, ISSUED_AT, [3; 16]);
    verifier.verify_once(&first, ISSUED_AT, &mut guard).unwrap();
    let later = ISSUED_AT + Duration::seconds(90) + DEFAULT_CLOCK_SKEW;
    let second = code(&key, CreditLevel::AA, later, [4; 16]);
    verifier.verify_once(&second, later, &mut guard).unwrap();
    assert_eq!(guard.len(), 1, "the first code's entry is gone once it expired");
}

#[test]
fn a_full_replay_guard_stays_within_its_capacity() {
    let key = signing_key(1);
    let verifier = verifier_for(&key);
    let mut guard = ReplayGuard::new(3);
    for i in 0..5u8 {
        let text = code(&key, CreditLevel::AA, ISSUED_AT + Duration::seconds(i.into()), [i; 16]);
        verifier.verify_once(&text, ISSUED_AT + Duration::seconds(i.into()), &mut guard).unwrap();
    }
    assert_eq!(guard.len(), 3);
    assert_eq!(guard.evicted(), 2);
    let newest = code(&key, CreditLevel::AA, ISSUED_AT + Duration::seconds(4), [4; 16]);
    assert_eq!(verifier.verify_once(&newest, ISSUED_AT + Duration::seconds(5), &mut guard), Err(VerifyError::Replay));
}

#[test]
fn a_key_set_whose_kid_is_not_the_thumbprint_is_refused() {
    let mut set = key_set(&[(&signing_key(1), ISSUED_AT, None)]);
    set.keys[0].kid = "someone-else".into();
    assert!(matches!(TrustedKeys::from_set(&set), Err(KeySetError::KidMismatch { .. })));
}

#[test]
fn a_key_set_with_a_bad_public_key_is_refused() {
    let mut set = key_set(&[(&signing_key(1), ISSUED_AT, None)]);
    set.keys[0].x = "AAAA".into();
    assert!(matches!(TrustedKeys::from_set(&set), Err(KeySetError::BadPublicKey { .. })));
}

#[test]
fn a_key_set_with_no_ed25519_key_is_refused_and_other_key_types_are_skipped() {
    let mut set = key_set(&[(&signing_key(1), ISSUED_AT, None)]);
    set.keys[0].crv = "X25519".into();
    assert_eq!(TrustedKeys::from_set(&set).unwrap_err(), KeySetError::Empty);
    let mut mixed = key_set(&[(&signing_key(1), ISSUED_AT, None), (&signing_key(2), ISSUED_AT, None)]);
    mixed.keys[0].kty = "RSA".into();
    assert_eq!(TrustedKeys::from_set(&mixed).unwrap().key_ids().count(), 1);
}

#[test]
fn a_key_set_is_read_from_the_published_json() {
    let json = serde_json::to_string(&key_set(&[(&signing_key(1), ISSUED_AT, None)])).unwrap();
    assert!(json.contains(r#""kty":"OKP","crv":"Ed25519""#));
    let keys = TrustedKeys::from_json(&json).unwrap();
    assert_eq!(keys.key_ids().next(), Some(KeyId::of(&signing_key(1).verifying_key())));
    assert!(matches!(TrustedKeys::from_json("{\"keys\":"), Err(KeySetError::NotJson(_))));
}

#[test]
fn a_key_set_whose_window_ends_before_it_starts_is_refused() {
    let set = key_set(&[(&signing_key(1), ISSUED_AT, Some(ISSUED_AT - Duration::seconds(1)))]);
    assert!(matches!(TrustedKeys::from_set(&set), Err(KeySetError::InvertedWindow { .. })));
}
