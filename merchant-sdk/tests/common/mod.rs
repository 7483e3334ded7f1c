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

/// Runs one of the SDK's examples as a merchant does, with `stdin` piped
/// in: its exit status and the JSON it printed (null if none). `cargo test`
/// builds the examples beside the test binaries.
pub fn run_example(name: &str, args: &[&str], stdin: &str) -> (i32, serde_json::Value) {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_path_buf();
    let binary = deps.parent().unwrap().join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} was not built", binary.display());
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null))
}
