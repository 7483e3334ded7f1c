//! The `verify` example, run as merchants and support staff run it.

mod common;

use common::*;
use std::io::Write as _;
use xinyi_merchant_sdk::{CitizenHandle, CodeClaims, CodeLifetime, CodeSigner, CreditLevel};

fn key_file() -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    let set = key_set(&[(&signing_key(1), ISSUED_AT - time::Duration::days(1), None)]);
    file.write_all(serde_json::to_string(&set).unwrap().as_bytes()).unwrap();
    file
}

fn run(args: &[&str], stdin: Option<&str>) -> (i32, serde_json::Value) {
    run_example("verify", args, stdin.unwrap_or(""))
}

#[test]
fn a_valid_code_prints_its_level_and_exits_zero() {
    let keys = key_file();
    let text = code(&signing_key(1), CreditLevel::AA, ISSUED_AT, [1; 16]);
    let (status, json) = run(&["--keys", keys.path().to_str().unwrap(), "--at", "2026-11-28T08:00:10Z", &text], None);
    assert_eq!(status, 0);
    assert_eq!(json["ok"], true);
    assert_eq!(json["level"], 4);
    assert_eq!(json["medium"], "phone");
    assert_eq!(json["expires_at"], "2026-11-28T08:01:30Z");
}

#[test]
fn a_paper_code_prints_medium_paper_and_stays_valid_for_weeks() {
    let keys = key_file();
    let claims = CodeClaims {
        level: CreditLevel::A,
        issued_at: ISSUED_AT,
        lifetime: CodeLifetime::paper_from_minutes(28 * 24 * 60).unwrap(),
        handle: CitizenHandle([2; 16]),
    };
    let text = CodeSigner::new(signing_key(1)).sign(&claims).unwrap();
    let keys = keys.path().to_str().unwrap();
    let (status, json) = run(&["--keys", keys, "--at", "2026-12-20T08:00:00Z", &text], None);
    assert_eq!((status, &json["medium"], &json["level"]), (0, &"paper".into(), &3.into()), "{json}");
    assert_eq!(json["expires_at"], "2026-12-26T08:00:00Z");
    let (status, json) = run(&["--keys", keys, "--at", "2026-12-26T08:00:30Z", &text], None);
    assert_eq!((status, &json["error"]), (1, &"expired".into()));
}

#[test]
fn an_expired_code_prints_the_reason_and_exits_one() {
    let keys = key_file();
    let text = code(&signing_key(1), CreditLevel::AA, ISSUED_AT, [1; 16]);
    let (status, json) = run(&["--keys", keys.path().to_str().unwrap(), "--at", "2026-11-28T09:00:00Z", &text], None);
    assert_eq!(status, 1);
    assert_eq!(json["ok"], false);
    assert_eq!(json["error"], "expired");
}

#[test]
fn a_code_typed_by_a_scanner_on_standard_input_is_read() {
    let keys = key_file();
    let text = code(&signing_key(1), CreditLevel::B, ISSUED_AT, [1; 16]);
    let (status, json) = run(
        &["--keys", keys.path().to_str().unwrap(), "--at", "2026-11-28T08:00:10Z", "-"],
        Some(&format!("{text}\r\n")),
    );
    assert_eq!((status, json["level"].as_u64()), (0, Some(2)));
}

#[test]
fn a_missing_key_file_or_argument_is_a_usage_error() {
    assert_eq!(run(&["--keys", "/nonexistent/keys.json", "XY:"], None).0, 2);
    assert_eq!(run(&["XY:"], None).0, 2);
    let keys = key_file();
    assert_eq!(run(&["--keys", keys.path().to_str().unwrap(), "--at", "yesterday", "XY:"], None).0, 2);
}
