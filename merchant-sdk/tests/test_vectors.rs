//! The test vectors in docs/credit-code.md, read from the document itself so
//! the document and the code cannot drift apart.

use ed25519_dalek::SigningKey;
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use xinyi_merchant_sdk::credit_code::PAYLOAD_LEN;
use xinyi_merchant_sdk::*;

#[derive(Deserialize)]
struct Vectors {
    secret_key_hex: String,
    key_set: JsonWebKeySet,
    valid: Vec<ValidVector>,
    invalid: Vec<InvalidVector>,
}

#[derive(Deserialize)]
struct ValidVector {
    level: u8,
    #[serde(with = "time::serde::rfc3339")]
    issued_at: OffsetDateTime,
    /// `phone` (the default) or `paper`.
    #[serde(default = "phone")]
    medium: String,
    /// A phone code's lifetime field is seconds; a paper code's, minutes.
    lifetime_secs: Option<u64>,
    lifetime_minutes: Option<u64>,
    handle_hex: String,
    payload_hex: String,
    signature_hex: String,
    code: String,
    code_id: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
}

#[derive(Deserialize)]
struct InvalidVector {
    why: String,
    code: String,
    #[serde(with = "time::serde::rfc3339")]
    now: OffsetDateTime,
    error: String,
}

fn phone() -> String {
    "phone".into()
}

fn lifetime(vector: &ValidVector) -> CodeLifetime {
    match (vector.medium.as_str(), vector.lifetime_secs, vector.lifetime_minutes) {
        ("phone", Some(secs), None) => CodeLifetime::from_secs(secs).unwrap(),
        ("paper", None, Some(minutes)) => CodeLifetime::paper_from_minutes(minutes).unwrap(),
        other => panic!("a vector names its medium and that medium's lifetime field, not {other:?}"),
    }
}

fn vectors() -> Vectors {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/credit-code.md"))
        .expect("docs/credit-code.md is readable");
    let start =
        doc.find("```json test-vectors\n").expect("the doc has a test-vectors block") + "```json test-vectors\n".len();
    let len = doc[start..].find("```").expect("the block is closed");
    serde_json::from_str(&doc[start..start + len]).expect("the test-vectors block is valid JSON")
}

fn signer(v: &Vectors) -> CodeSigner {
    let seed: [u8; 32] = hex::decode(&v.secret_key_hex).unwrap().try_into().unwrap();
    CodeSigner::new(SigningKey::from_bytes(&seed))
}

#[test]
fn signing_the_documented_fields_gives_the_documented_text() {
    let v = vectors();
    let signer = signer(&v);
    assert_eq!(signer.key_id().to_base64url(), v.key_set.keys[0].kid);
    for vector in &v.valid {
        let claims = CodeClaims {
            level: CreditLevel::from_rank(vector.level).unwrap(),
            issued_at: vector.issued_at,
            lifetime: lifetime(vector),
            handle: CitizenHandle(hex::decode(&vector.handle_hex).unwrap().try_into().unwrap()),
        };
        let text = signer.sign(&claims).unwrap();
        assert_eq!(text, vector.code, "vector issued at {}", vector.issued_at.format(&Rfc3339).unwrap());
        let bytes = base45::decode(text.strip_prefix("XY:").unwrap()).unwrap();
        assert_eq!(hex::encode(&bytes[..PAYLOAD_LEN]), vector.payload_hex);
        assert_eq!(hex::encode(&bytes[PAYLOAD_LEN..]), vector.signature_hex);
    }
}

#[test]
fn the_documented_codes_verify_to_their_documented_fields() {
    let v = vectors();
    let verifier = Verifier::new(TrustedKeys::from_set(&v.key_set).unwrap());
    for vector in &v.valid {
        let code = verifier.verify(&vector.code, vector.issued_at).unwrap();
        assert_eq!(code.level.rank(), vector.level);
        assert_eq!(code.medium.as_str(), vector.medium);
        assert_eq!(code.version, code.medium.version());
        assert_eq!(code.issued_at, vector.issued_at);
        assert_eq!(code.expires_at, vector.expires_at);
        assert_eq!(code.code_id.to_hex(), vector.code_id);
        assert_eq!(code.key_id.to_base64url(), v.key_set.keys[0].kid);
    }
}

#[test]
fn the_documented_invalid_codes_fail_with_the_documented_error() {
    let v = vectors();
    let verifier = Verifier::new(TrustedKeys::from_set(&v.key_set).unwrap());
    for vector in &v.invalid {
        let error = verifier.verify(&vector.code, vector.now).expect_err(&vector.why);
        assert_eq!(error.code(), vector.error, "{}", vector.why);
    }
}

#[test]
fn the_first_vector_is_still_valid_one_second_before_expiry_plus_skew() {
    let v = vectors();
    let verifier = Verifier::new(TrustedKeys::from_set(&v.key_set).unwrap());
    let first = &v.valid[0];
    let last_valid_second = first.expires_at + DEFAULT_CLOCK_SKEW - time::Duration::seconds(1);
    assert!(verifier.verify(&first.code, last_valid_second).is_ok());
    let first_valid_second = first.issued_at - DEFAULT_CLOCK_SKEW;
    assert!(verifier.verify(&first.code, first_valid_second).is_ok());
}

#[test]
fn the_vectors_cover_both_media() {
    let v = vectors();
    for medium in ["phone", "paper"] {
        assert!(v.valid.iter().filter(|c| c.medium == medium).count() >= 2, "two valid {medium} vectors at least");
    }
}
