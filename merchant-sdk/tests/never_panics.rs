//! The decoder and verifier return an error, never panic, on any input.

mod common;

use common::*;
use proptest::prelude::*;
use time::Duration;
use xinyi_merchant_sdk::{CreditLevel, VerifyError};

const BASE45: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string_is_refused_without_panicking(text in any::<String>()) {
        let verifier = verifier_for(&signing_key(1));
        prop_assert!(verifier.verify(&text, ISSUED_AT).is_err());
    }

    #[test]
    fn any_base45_text_after_the_prefix_is_refused_without_panicking(body in "[0-9A-Z $%*+\\-./:]{0,200}") {
        let verifier = verifier_for(&signing_key(1));
        let text = format!("XY:{}", body);
        prop_assert!(verifier.verify(&text, ISSUED_AT).is_err());
    }

    #[test]
    fn a_valid_code_with_one_character_changed_is_refused(
        position in 3usize..147, replacement in 0usize..45, handle in any::<[u8; 16]>()
    ) {
        let key = signing_key(1);
        let text = code(&key, CreditLevel::AA, ISSUED_AT, handle);
        let mut chars: Vec<char> = text.chars().collect();
        let new = BASE45.chars().nth(replacement).unwrap();
        prop_assume!(chars[position] != new);
        chars[position] = new;
        let mutated: String = chars.into_iter().collect();
        prop_assert!(verifier_for(&key).verify(&mutated, ISSUED_AT).is_err());
    }

    #[test]
    fn a_valid_code_with_one_bit_of_its_bytes_flipped_is_refused(bit in 0usize..(96 * 8), handle in any::<[u8; 16]>()) {
        let key = signing_key(1);
        let text = code(&key, CreditLevel::A, ISSUED_AT, handle);
        let mut bytes = base45::decode(&text[3..]).unwrap();
        bytes[bit / 8] ^= 1 << (bit % 8);
        let mutated = format!("XY:{}", base45::encode(&bytes));
        prop_assert!(verifier_for(&key).verify(&mutated, ISSUED_AT).is_err());
    }

    #[test]
    fn a_valid_code_cut_short_or_extended_is_refused(cut in 0usize..147, extra in "[0-9A-Z$%*+\\-./:]{1,6}") {
        let key = signing_key(1);
        let text = code(&key, CreditLevel::A, ISSUED_AT, [7; 16]);
        let verifier = verifier_for(&key);
        prop_assert!(verifier.verify(&text[..cut], ISSUED_AT).is_err());
        let extended = text.clone() + &extra;
        prop_assert!(verifier.verify(&extended, ISSUED_AT).is_err());
    }

    #[test]
    fn a_valid_code_verifies_at_every_moment_of_its_window_and_never_outside(offset in -120i64..240) {
        let key = signing_key(1);
        let text = code(&key, CreditLevel::B, ISSUED_AT, [7; 16]);
        let result = verifier_for(&key).verify(&text, ISSUED_AT + Duration::seconds(offset));
        match offset {
            -30..120 => prop_assert!(result.is_ok()),
            ..-30 => prop_assert!(matches!(result, Err(VerifyError::NotYetValid { .. })), "{result:?}"),
            _ => prop_assert!(matches!(result, Err(VerifyError::Expired { .. })), "{result:?}"),
        }
    }
}
