//! SDK verification next to a bare ed25519-dalek `verify_strict` of the same
//! signed bytes, in one run, with the ratio printed at the end.
//!
//! `cargo bench -p xinyi-merchant-sdk --bench verify`

use criterion::{Criterion, criterion_group};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use std::hint::black_box;
use time::macros::datetime;
use xinyi_merchant_sdk::credit_code::{PAYLOAD_LEN, SIGNING_CONTEXT, TEXT_PREFIX};
use xinyi_merchant_sdk::{
    CitizenHandle, CodeClaims, CodeLifetime, CodeSigner, CreditLevel, JsonWebKeySet, PublishedKey, TrustedKeys,
    Verifier,
};

const GROUP: &str = "credit_code_verify";

fn fixture() -> (String, Verifier, VerifyingKey, Vec<u8>, Signature) {
    let key = SigningKey::from_bytes(&[0x5a; 32]);
    let issued_at = datetime!(2026-11-28 08:00:00 UTC);
    let signer = CodeSigner::new(key.clone());
    let text = signer
        .sign(&CodeClaims {
            level: CreditLevel::AA,
            issued_at,
            lifetime: CodeLifetime::DEFAULT,
            handle: CitizenHandle([9; 16]),
        })
        .unwrap();
    let set = JsonWebKeySet { keys: vec![PublishedKey::ed25519(&key.verifying_key(), issued_at, None)] };
    let verifier = Verifier::new(TrustedKeys::from_set(&set).unwrap());
    let bytes = base45::decode(text.strip_prefix(TEXT_PREFIX).unwrap()).unwrap();
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend_from_slice(&bytes[..PAYLOAD_LEN]);
    let signature = Signature::from_bytes(bytes[PAYLOAD_LEN..].try_into().unwrap());
    (text, verifier, key.verifying_key(), message, signature)
}

fn bench(c: &mut Criterion) {
    let (text, verifier, public, message, signature) = fixture();
    let now = datetime!(2026-11-28 08:00:30 UTC);
    let mut group = c.benchmark_group(GROUP);
    group.bench_function("sdk_verify", |b| b.iter(|| verifier.verify(black_box(&text), black_box(now)).unwrap()));
    group.bench_function("raw_ed25519_verify_strict", |b| {
        b.iter(|| public.verify_strict(black_box(&message), black_box(&signature)).unwrap())
    });
    group.finish();
}

criterion_group!(benches, bench);

fn mean_ns(function: &str) -> Option<f64> {
    let target =
        std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| format!("{}/../target", env!("CARGO_MANIFEST_DIR")));
    let path = format!("{target}/criterion/{GROUP}/{function}/new/estimates.json");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    json["mean"]["point_estimate"].as_f64()
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if let (Some(sdk), Some(raw)) = (mean_ns("sdk_verify"), mean_ns("raw_ed25519_verify_strict")) {
        println!(
            "sdk_verify {:.2} µs, raw verify_strict {:.2} µs, ratio {:.3}× (target ≤ 1.10×)",
            sdk / 1000.0,
            raw / 1000.0,
            sdk / raw
        );
    }
}
