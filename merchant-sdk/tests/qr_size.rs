//! A code must fit a version 8 QR (49×49 modules) at error-correction level Q.

mod common;

use common::*;
use qrcode::{EcLevel, QrCode, Version};
use xinyi_merchant_sdk::CreditLevel;

fn qr_version(text: &str) -> i16 {
    match QrCode::with_error_correction_level(text.as_bytes(), EcLevel::Q).unwrap().version() {
        Version::Normal(v) => v,
        Version::Micro(v) => panic!("unexpected micro QR version {v}"),
    }
}

#[test]
fn every_code_fits_a_version_8_qr_at_level_q() {
    let key = signing_key(1);
    for (i, level) in CreditLevel::ALL.into_iter().enumerate() {
        for handle in [[0u8; 16], [0xff; 16], [i as u8 * 37; 16]] {
            let text = code(&key, level, ISSUED_AT, handle);
            assert_eq!(text.len(), 147);
            assert!(qr_version(&text) <= 8, "{text} needs version {}", qr_version(&text));
        }
    }
}

#[test]
fn base45_makes_a_smaller_qr_than_base64url_of_the_same_bytes() {
    use base64::Engine as _;
    let text = code(&signing_key(1), CreditLevel::AA, ISSUED_AT, [0x5a; 16]);
    let bytes = base45::decode(&text[3..]).unwrap();
    let b64 = format!("XY:{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes));
    assert!(qr_version(&text) < qr_version(&b64), "base45 v{} vs base64url v{}", qr_version(&text), qr_version(&b64));
}
