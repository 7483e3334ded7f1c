//! What issuing one credit code costs: sealing the handle and signing, then
//! drawing the QR, next to the qrcode crate's own SVG renderer.
//!
//! `cargo bench -p xinyi --bench issue`

use criterion::{Criterion, criterion_group, criterion_main};
use ed25519_dalek::SigningKey;
use std::hint::black_box;
use time::OffsetDateTime;
use xinyi::citizen_handle::{CitizenNumber, HandleSealer};
use xinyi::qr::QrMatrix;
use xinyi_merchant_sdk::{CodeClaims, CodeLifetime, CodeSigner, CreditLevel};

fn bench(c: &mut Criterion) {
    let key = SigningKey::from_bytes(&[3; 32]);
    let sealer = HandleSealer::for_signing_key(&key);
    let signer = CodeSigner::new(key);
    let mut rng = rand::rngs::OsRng;
    let sign = |rng: &mut rand::rngs::OsRng| {
        let claims = CodeClaims {
            level: CreditLevel::AA,
            issued_at: OffsetDateTime::now_utc(),
            lifetime: CodeLifetime::DEFAULT,
            handle: sealer.seal(CitizenNumber(4_200_000), rng),
        };
        signer.sign(&claims).unwrap()
    };
    let code = sign(&mut rng);
    let mut group = c.benchmark_group("issue_code");
    group.bench_function("seal_and_sign", |b| b.iter(|| sign(&mut rng)));
    group.bench_function("qr_svg_xinyi", |b| b.iter(|| QrMatrix::encode(black_box(&code)).unwrap().to_svg()));
    group.bench_function("qr_svg_qrcode_crate", |b| {
        b.iter(|| {
            qrcode::QrCode::with_error_correction_level(black_box(code.as_bytes()), qrcode::EcLevel::Q)
                .unwrap()
                .render::<qrcode::render::svg::Color>()
                .build()
        })
    });
    group.bench_function("qr_png", |b| b.iter(|| QrMatrix::encode(black_box(&code)).unwrap().to_png()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
