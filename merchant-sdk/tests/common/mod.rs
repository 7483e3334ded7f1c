//! Keys and codes the SDK tests share.
#![allow(dead_code)]

use ed25519_dalek::SigningKey;
use time::OffsetDateTime;
use time::macros::datetime;
use xinyi_merchant_sdk::*;

pub const ISSUED_AT: OffsetDateTime = datetime!(2026-11-28 08:00:00 UTC);

pub fn signing_key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

pub fn key_set(keys: &[(&SigningKey, OffsetDateTime, Option<OffsetDateTime>)]) -> JsonWebKeySet {
    JsonWebKeySet {
        keys: keys.iter().map(|(k, nbf, exp)| PublishedKey::ed25519(&k.verifying_key(), *nbf, *exp)).collect(),
    }
}

pub fn verifier_for(key: &SigningKey) -> Verifier {
    let set = key_set(&[(key, datetime!(2026-01-01 00:00:00 UTC), None)]);
    Verifier::new(TrustedKeys::from_set(&set).unwrap())
}

pub fn code(key: &SigningKey, level: CreditLevel, issued_at: OffsetDateTime, handle: [u8; 16]) -> String {
    CodeSigner::new(key.clone())
        .sign(&CodeClaims { level, issued_at, lifetime: CodeLifetime::DEFAULT, handle: CitizenHandle(handle) })
        .unwrap()
}
