//! Feeds arbitrary bytes, as text, to the verifier: it must refuse or accept,
//! never panic. Run with `cargo fuzz run verify_code` from merchant-sdk/.
#![no_main]

use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use time::OffsetDateTime;
use xinyi_merchant_sdk::{JsonWebKeySet, PublishedKey, TrustedKeys, Verifier};

static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
    let key = SigningKey::from_bytes(&[1; 32]).verifying_key();
    let set = JsonWebKeySet { keys: vec![PublishedKey::ed25519(&key, OffsetDateTime::UNIX_EPOCH, None)] };
    Verifier::new(TrustedKeys::from_set(&set).expect("a fixed valid key set"))
});

fuzz_target!(|data: &[u8]| {
    let now = OffsetDateTime::from_unix_timestamp(1_795_852_800).expect("a fixed time");
    let text = String::from_utf8_lossy(data);
    let _ = VERIFIER.verify(&text, now);
    // Also as a code body, so the fuzzer reaches past the prefix check at once.
    let _ = VERIFIER.verify(&format!("XY:{text}"), now);
});
